import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { name: "tasks-api", environment: "node" },
});
