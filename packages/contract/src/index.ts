export {
  type ApiError,
  type ApiErrorCode,
  ApiErrorSchema,
  apiErrorCodes,
  isSignInErrorCode,
  type SignInErrorCode,
  signInErrorCodes,
  signInErrorMessages,
} from "./errors.ts";
export { type HealthResponse, HealthResponseSchema } from "./health.ts";
export { type LogoutResponse, LogoutResponseSchema } from "./logout.ts";
export { csrfHeader, paths, signInErrorParam } from "./paths.ts";
export { type Profile, ProfileSchema } from "./profile.ts";
export {
  type SessionResponse,
  SessionResponseSchema,
  type SessionUser,
  SessionUserSchema,
} from "./session.ts";
