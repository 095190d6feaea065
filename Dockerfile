# syntax=docker/dockerfile:1
# entra-bff container images, on Node 24 (Active LTS); the code and its tests also run on
# Node 20.19+ and 22.
#   default target "app":   the BFF serving the built SPA (what operators deploy)
#   target "tasks-api":     the Tasks API, the example protected API (SQLite database in /data)
#   target "emulator":      the local Entra ID emulator, for `docker compose up` demos only
# Build with the tags docker-compose.yml uses:
#   docker build -t entra-bff:local .
#   docker build --target tasks-api -t entra-bff-tasks-api:local .
#   docker build --target emulator -t entra-bff-emulator:local .

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3 (the Tasks API's database) is a native addon. It is installed here, on the
# runtime stages' own Node, and compiled from source when no prebuilt binary matches it.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /repo
# pnpm at the version package.json pins (corepack's signature check is not relied on).
COPY package.json ./
RUN npm install -g "pnpm@$(node -p "require('./package.json').packageManager.split('@')[1]")"
# Manifests first: a source change then reuses the dependency layer.
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY apps/bff/package.json apps/bff/
COPY apps/tasks-api/package.json apps/tasks-api/
COPY apps/web/package.json apps/web/
COPY packages/contract/package.json packages/contract/
COPY packages/entra-emulator/package.json packages/entra-emulator/
COPY packages/service-kit/package.json packages/service-kit/
RUN pnpm install --frozen-lockfile
COPY . .
RUN sh scripts/prod-layout.sh /out

FROM ${NODE_IMAGE} AS emulator
ENV NODE_ENV=production \
    EMULATOR_HOST=0.0.0.0 \
    EMULATOR_PORT=8443 \
    EMULATOR_CERT_DIR=/certs
WORKDIR /emulator
# One bundled file (scripts/bundle-emulator.mjs): no TypeScript, no tsx at run time.
COPY --from=build /out/emulator /emulator
# The generated dev CA and certificate live in a volume the other containers read.
RUN mkdir -p /certs && chown node:node /certs
USER node
EXPOSE 8443
# Plain http on the same port: the emulator answers both protocols (see its README).
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=10 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.EMULATOR_PORT}/common/v2.0/.well-known/openid-configuration`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/cli.js"]

FROM ${NODE_IMAGE} AS tasks-api
ENV NODE_ENV=production \
    TASKS_API_HOST=0.0.0.0 \
    TASKS_API_PORT=4000 \
    TASKS_DATA_DIR=/data
WORKDIR /app
# Owned by root and only readable by the runtime user: the process cannot rewrite its code.
COPY --from=build /out/tasks-api /app
# tasks.db lives here; a new named volume mounted on /data takes over this owner.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.TASKS_API_PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/server.js"]

FROM ${NODE_IMAGE} AS app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    STATIC_DIR=/app/public \
    DOWNSTREAM_APIS_FILE=/app/config/downstream-apis.json
WORKDIR /app
# Owned by root and only readable by the runtime user: the process cannot rewrite its code.
COPY --from=build /out/app /app
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM lets in-flight requests finish (see apps/bff/src/server.ts); node runs as PID 1
# with its own signal handlers, so no init shim is needed.
STOPSIGNAL SIGTERM
CMD ["node", "dist/server.js"]
