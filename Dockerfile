# syntax=docker/dockerfile:1
# entra-bff container images.
#   default target "app":  the BFF serving the built SPA (what operators deploy)
#   target "emulator":     the local Entra ID emulator, for `docker compose up` demos only
# Build: docker build -t entra-bff .

ARG NODE_IMAGE=node:20.20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /repo
# pnpm at the version package.json pins (corepack's signature check is not relied on).
COPY package.json ./
RUN npm install -g "pnpm@$(node -p "require('./package.json').packageManager.split('@')[1]")"
# Manifests first: a source change then reuses the dependency layer.
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
COPY apps/bff/package.json apps/bff/
COPY apps/web/package.json apps/web/
COPY packages/contract/package.json packages/contract/
COPY packages/entra-emulator/package.json packages/entra-emulator/
RUN pnpm install --frozen-lockfile
COPY . .
RUN sh scripts/prod-layout.sh /out

FROM ${NODE_IMAGE} AS emulator
ENV EMULATOR_HOST=0.0.0.0 \
    EMULATOR_PORT=8443 \
    EMULATOR_CERT_DIR=/certs
WORKDIR /emulator
COPY --from=build /out/emulator /emulator
# The generated dev CA and certificate live in a volume the app container reads.
RUN mkdir -p /certs && chown node:node /certs
USER node
EXPOSE 8443
# Plain http on the same port: the emulator answers both protocols (see its README).
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=10 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.EMULATOR_PORT}/common/v2.0/.well-known/openid-configuration`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--import", "tsx", "src/cli.ts"]

FROM ${NODE_IMAGE} AS app
ENV HOST=0.0.0.0 \
    PORT=3000 \
    STATIC_DIR=/app/public
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
