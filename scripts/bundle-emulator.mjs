#!/usr/bin/env node
// Bundles the local Entra ID emulator for its container image (scripts/prod-layout.sh):
// <out>/dist/cli.js, one ESM file with its dependencies inside. The image then runs no
// TypeScript at run time and ships no node_modules: the package lists tsx as a runtime
// dependency (for `pnpm emulator`), so `pnpm deploy --prod` would ship tsx and esbuild too.
//
//   node scripts/bundle-emulator.mjs <out-dir>
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { repoRoot } from "./lib/repo-env.mjs";

const out = process.argv[2];
if (!out) {
  process.stderr.write("usage: node scripts/bundle-emulator.mjs <out-dir>\n");
  process.exit(2);
}

await build({
  entryPoints: [join(repoRoot, "packages/entra-emulator/src/cli.ts")],
  outfile: join(out, "dist/cli.js"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  // Bundled CommonJS dependencies (fastify's) still call require() for Node's own modules.
  banner: {
    js: 'import { createRequire as __bundleRequire } from "node:module"; const require = __bundleRequire(import.meta.url);',
  },
  logLevel: "warning",
});
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, "package.json"),
  `${JSON.stringify({ name: "entra-emulator-image", private: true, type: "module" }, null, 2)}\n`,
);
