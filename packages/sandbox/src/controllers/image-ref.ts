import { createHash } from "node:crypto";

/**
 * An image reference as containerd resolves it: `nginx:1.25` is `docker.io/library/nginx:1.25`,
 * `shop/web` is `docker.io/shop/web:latest`; references with a registry stay as they are.
 */
export function normalizeImage(image: string): string {
  let ref = image.trim();
  const slash = ref.indexOf("/");
  const first = slash === -1 ? "" : ref.slice(0, slash);
  const hasRegistry = slash !== -1 && (first.includes(".") || first.includes(":") || first === "localhost");
  if (!hasRegistry) ref = `docker.io/${slash === -1 ? "library/" : ""}${ref}`;
  const lastPart = ref.slice(ref.lastIndexOf("/") + 1);
  if (!lastPart.includes(":") && !lastPart.includes("@")) ref += ":latest";
  return ref;
}

/** The tag of an image reference (`latest` when it has none). */
export function imageTag(image: string): string {
  const ref = normalizeImage(image);
  const lastPart = ref.slice(ref.lastIndexOf("/") + 1);
  const at = lastPart.indexOf("@");
  if (at !== -1) return lastPart.slice(at + 1);
  return lastPart.slice(lastPart.indexOf(":") + 1);
}

/** The repository of an image reference, without tag or digest. */
export function imageRepository(image: string): string {
  const ref = normalizeImage(image);
  const slash = ref.lastIndexOf("/");
  const lastPart = ref.slice(slash + 1).replace(/[:@].*$/, "");
  return `${ref.slice(0, slash)}/${lastPart}`;
}

/** A stable digest-pinned imageID for a reference, as `kubectl get pod -o yaml` shows it. */
export function imageId(image: string): string {
  return `${imageRepository(image)}@sha256:${createHash("sha256").update(normalizeImage(image)).digest("hex")}`;
}

/** The error containerd reports for a reference whose tag does not exist. */
export function imageNotFoundMessage(image: string): string {
  const ref = normalizeImage(image);
  return `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`;
}

/** Whether the kubelet pulls before starting: `Always`, or `:latest`/no tag by default, or an image the node lacks. */
export function mustPull(image: string, policy: string | undefined, present: boolean): boolean {
  const effective = policy ?? (imageTag(image) === "latest" ? "Always" : "IfNotPresent");
  if (effective === "Always") return true;
  if (effective === "Never") return false;
  return !present;
}
