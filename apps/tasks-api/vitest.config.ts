import { defineConfig } from "vitest/config";

export default defineConfig({
  // Real servers (the emulator, an https issuer, the API as a process) start in these tests:
  // leave room for a busy CI machine. Nothing asserts on time.
  test: { name: "tasks-api", environment: "node", testTimeout: 20_000, hookTimeout: 20_000 },
});
