export { defaultClient, defaultTenantId, defaultUsers, graphResourceId } from "./defaults.ts";
export {
  type DevCertificateOptions,
  type DevCertificates,
  ensureDevCertificates,
} from "./dev-certificates.ts";
export { createEmulator } from "./emulator.ts";
export { consentFields, signInFields } from "./pages.ts";
export { graphScopeDescriptions } from "./scopes.ts";
export {
  type ConsentDecision,
  type SignInResult,
  type SignOutResult,
  signInAs,
  signOut,
} from "./sign-in-client.ts";
export type {
  ClientRegistration,
  Emulator,
  EmulatorConsents,
  EmulatorOptions,
  Fault,
  TestUser,
  UserConsent,
} from "./types.ts";
