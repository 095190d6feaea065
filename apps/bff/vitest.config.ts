import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "bff",
    environment: "node",
    // A throwaway redis-server when REDIS_TEST_URL is unset: the Redis tests never skip.
    globalSetup: ["../../scripts/test-redis-server.mjs"],
  },
});
