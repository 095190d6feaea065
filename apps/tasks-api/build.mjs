// Bundles the Tasks API for production: dist/server.js (ESM, Node 20). Third-party
// dependencies stay external (better-sqlite3 is a native addon and cannot be bundled);
// workspace packages (@entra-bff/contract) are TypeScript source and get bundled.
import { readFileSync } from "node:fs";
import { build } from "esbuild";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));

await build({
  entryPoints: ["src/server.ts"],
  outfile: "dist/server.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  external: Object.keys(pkg.dependencies ?? {}),
  logLevel: "info",
});
