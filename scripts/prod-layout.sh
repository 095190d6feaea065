#!/bin/sh
# Builds the production file layout that the container image ships, into <out>:
#   <out>/app       the BFF bundle (dist/) with only its production dependencies, and the
#                   built SPA in public/ — the image's /app
#   <out>/emulator  the local Entra ID emulator with its production dependencies
# The Dockerfile runs exactly this script, and so does the deployment test, so what is tested
# is what ships.
set -eu
out=${1:?usage: scripts/prod-layout.sh <out-dir>}
rm -rf "$out/app" "$out/emulator"
pnpm build
pnpm --filter @entra-bff/bff deploy --prod --legacy "$out/app"
cp -R apps/web/dist "$out/app/public"
pnpm --filter @entra-bff/entra-emulator deploy --prod --legacy "$out/emulator"
