// For other packages' tests (the BFF's proxy tests, e2e): build the real Tasks API in-process.
export { type BuildOptions, buildApp } from "./app.ts";
export {
  type Config,
  ConfigError,
  devClientId,
  type LoadConfigOptions,
  loadConfig,
} from "./config.ts";
