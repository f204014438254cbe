// The public surface of @autodevops/scarlet (each module adds its names as it lands).
export {};
