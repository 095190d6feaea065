#!/bin/sh
# Builds the production file layout that the container images ship, into <out>:
#   <out>/app        the BFF bundle (dist/) with only its production dependencies, the built
#                    SPA in public/ and the declared downstream APIs in config/: the app
#                    image's /app
#   <out>/tasks-api  the Tasks API bundle (dist/) with only its production dependencies, among
#                    them better-sqlite3's native addon, built for the Node that runs this
#                    script (the Dockerfile runs it on the images' own Node): its /app
#   <out>/emulator   the local Entra ID emulator bundled into one file (dist/cli.js): no
#                    TypeScript at run time
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
rm -rf "$out/app" "$out/tasks-api" "$out/emulator"
if [ "$build" = yes ]; then
  # A production React build whatever the caller's NODE_ENV (vitest's is "test").
  NODE_ENV=production pnpm build
fi
pnpm --filter @entra-bff/bff deploy --prod --legacy "$out/app"
cp -R apps/web/dist "$out/app/public"
mkdir -p "$out/app/config"
cp config/downstream-apis.json "$out/app/config/"
pnpm --filter @entra-bff/tasks-api deploy --prod --legacy "$out/tasks-api"
node scripts/bundle-emulator.mjs "$out/emulator"
