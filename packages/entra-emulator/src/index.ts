export { defaultClient, defaultTenantId, defaultUsers, graphResourceId } from "./defaults.ts";
export {
  type DevCertificateOptions,
  type DevCertificates,
  ensureDevCertificates,
} from "./dev-certificates.ts";
export { createEmulator } from "./emulator.ts";
export { type SignInResult, signInAs } from "./sign-in-client.ts";
export type {
  ClientRegistration,
  Emulator,
  EmulatorOptions,
  Fault,
  TestUser,
} from "./types.ts";
