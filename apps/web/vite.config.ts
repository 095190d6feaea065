/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The BFF the dev server forwards to; `pnpm dev` sets BFF_PORT when it is not 3000.
const bff = `http://127.0.0.1:${process.env.BFF_PORT ?? 3000}`;
// changeOrigin stays false: the BFF must see Host localhost:5173, its PUBLIC_ORIGIN in dev,
// so that cookies, redirects and its Origin check all name the one origin the browser sees.
const toBff = { target: bff, changeOrigin: false };

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    strictPort: true,
    host: "localhost",
    proxy: {
      "/auth": toBff,
      "/api": toBff,
      "/healthz": toBff,
      "/readyz": toBff,
    },
  },
  preview: { port: 4173, strictPort: true },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    // Inlined assets become data: URLs; keep them files so the CSP needs no exceptions.
    assetsInlineLimit: 0,
    rolldownOptions: {
      // The SPA uses the contract's types, paths and messages, not its runtime schemas:
      // building a schema is side-effect free, so unused ones (and TypeBox) drop out. A
      // schema option read from a constant (`maxLength: tasksApi.titleMaxLength`) is a plain
      // property read, not a getter: without saying so, it would keep the schema and TypeBox.
      treeshake: { manualPureFunctions: ["Type"], propertyReadSideEffects: false },
    },
  },
  test: {
    name: "web",
    environment: "happy-dom",
    environmentOptions: { happyDOM: { url: "http://localhost:5173/" } },
    include: ["test/**/*.test.tsx", "test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    restoreMocks: true,
    unstubGlobals: true,
  },
});
