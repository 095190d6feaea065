#!/bin/sh
# Builds the production file layout that the container image ships, into <out>:
#   <out>/app       the BFF bundle (dist/) with only its production dependencies, and the
#                   built SPA in public/ — the image's /app
#   <out>/emulator  the local Entra ID emulator with its production dependencies
# The Dockerfile runs exactly this script, and so does the deployment test, so what is tested
# is what ships.
#
#   scripts/prod-layout.sh [--skip-build] <out-dir>
#
# --skip-build reuses apps/*/dist from a `pnpm build` just run (`pnpm test` runs one first):
# the deployment test must not rebuild the SPA under the browser tests that are serving it.
set -eu
build=yes
if [ "${1:-}" = "--skip-build" ]; then
  build=no
  shift
fi
out=${1:?usage: scripts/prod-layout.sh [--skip-build] <out-dir>}
rm -rf "$out/app" "$out/emulator"
if [ "$build" = yes ]; then
  # A production React build whatever the caller's NODE_ENV (vitest's is "test").
  NODE_ENV=production pnpm build
fi
pnpm --filter @entra-bff/bff deploy --prod --legacy "$out/app"
cp -R apps/web/dist "$out/app/public"
pnpm --filter @entra-bff/entra-emulator deploy --prod --legacy "$out/emulator"
