import { defineConfig } from "vitest/config";
import { ensureDevCertificates } from "./packages/entra-emulator/src/dev-certificates.ts";

// Test workers call the emulator over https. Node reads NODE_EXTRA_CA_CERTS only at process
// start, so the dev CA must exist and be named here, before vitest forks its workers (they
// inherit this environment). No test needs an "insecure" TLS switch.
export default defineConfig(async () => {
  const { caFile } = await ensureDevCertificates();
  process.env.NODE_EXTRA_CA_CERTS = caFile;
  return {
    test: {
      projects: ["packages/*", "apps/*", "apps/web/vitest.e2e.config.ts", "bench"],
    },
  };
});
