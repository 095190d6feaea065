// What the two Node services (the BFF and the Tasks API) share, so that each is written once:
// reading settings, fetching an identity provider's JSON documents, request ids, where log
// lines go, and shutting down.
export { shutDownOnSignals } from "./graceful-shutdown.ts";
export { describeFetchError, fetchJsonDocument } from "./json-document.ts";
export { type LogStream, logOutput } from "./log-output.ts";
export { genReqId } from "./request-id.ts";
export {
  ConfigError,
  type Env,
  type LogLevel,
  parseInteger,
  parseLogLevel,
  settingReader,
} from "./settings.ts";
