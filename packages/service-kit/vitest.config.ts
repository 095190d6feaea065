import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { name: "service-kit", environment: "node" },
});
