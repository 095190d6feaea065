import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { name: "entra-emulator", environment: "node" },
});
