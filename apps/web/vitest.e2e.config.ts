// The browser test: real Chromium against the production build (BFF + SPA) and the emulator.
// Run `pnpm build` first. Component tests are the "web" project in vite.config.ts.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "e2e",
    environment: "node",
    include: ["e2e/**/*.e2e.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
