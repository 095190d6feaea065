export { graphApplicationPermissions } from "./application-permissions.ts";
export { jwtBearerAssertionType } from "./client-authentication.ts";
export {
  type ClientCertificate,
  type ClientCertificateOptions,
  createClientCertificate,
} from "./client-certificates.ts";
export { consumersTenantId } from "./context.ts";
export { defaultCustomers, externalIdIssuer } from "./customer-tenants.ts";
export {
  defaultAdmins,
  defaultApiPermissions,
  defaultClient,
  defaultTasksApi,
  defaultTenantDomain,
  defaultTenantId,
  defaultUsers,
  fabrikamTenant,
  graphResourceId,
  tasksApiClientId,
  tasksApiRegistration,
} from "./defaults.ts";
export {
  type DevCertificateOptions,
  type DevCertificates,
  ensureDevCertificates,
} from "./dev-certificates.ts";
export { createEmulator } from "./emulator.ts";
export { tokenExchangeAudience } from "./federated-issuers.ts";
export { defaultManagedIdentities, tokenExchangeAppId } from "./managed-identity.ts";
export { supportedOptionalClaims } from "./optional-claims.ts";
export { consentFields, customerPageFields, deviceLoginFields, signInFields } from "./pages.ts";
export { graphScopeDescriptions } from "./scopes.ts";
export {
  type ConsentDecision,
  editProfileAs,
  type NewCustomerAccount,
  type ProfileChanges,
  type SignInOptions,
  type SignInResult,
  type SignOutResult,
  signInAs,
  signInWithDeviceCode,
  signOut,
  signUpAs,
} from "./sign-in-client.ts";
export type {
  AppRole,
  B2cOptions,
  ClientRegistration,
  ClientSecret,
  Emulator,
  EmulatorConsents,
  EmulatorOptions,
  EmulatorSettings,
  EmulatorTenant,
  ExposedScope,
  Fault,
  FederatedCredential,
  FederatedIssuer,
  FederatedTokenOptions,
  GrantType,
  ImplicitGrantSettings,
  ManagedIdentity,
  OptionalClaim,
  OptionalClaims,
  TenantConsent,
  TenantKind,
  TenantOptions,
  TestUser,
  UserConsent,
} from "./types.ts";
