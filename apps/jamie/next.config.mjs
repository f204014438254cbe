// The portal's pages only: Jamie's API is served by its own Node server (src/server), which
// hands every other request to Next's handler. The pages talk to that API over fetch.
/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  typescript: { tsconfigPath: "tsconfig.next.json" },
  // The repo's root ESLint config lints these files; Next's own lint step is not used.
  devIndicators: false,
};
export default nextConfig;
