export {
  type DeclaredApiName,
  type DeclaredApis,
  declaredApis,
  type Endpoint,
  type EndpointKey,
  type EndpointShape,
  type EndpointShapeOf,
  type HttpMethod,
  type ResponseRead,
} from "./declared-apis.ts";
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
export {
  type GraphUser,
  type GraphUserField,
  type GraphUserPage,
  GraphUserPageSchema,
  type GraphUserQuery,
  GraphUserQuerySchema,
  GraphUserSchema,
  type GraphUsersQuery,
  GraphUsersQuerySchema,
  graphConsistencyHeader,
  graphUserFields,
} from "./graph.ts";
export {
  type CredentialStatus,
  CredentialStatusSchema,
  type HealthResponse,
  HealthResponseSchema,
} from "./health.ts";
export { type LogoutResponse, LogoutResponseSchema } from "./logout.ts";
export { csrfHeader, paths, signInErrorParam } from "./paths.ts";
export {
  type Profile,
  type ProfileField,
  ProfileSchema,
  type ProfileSource,
  ProfileSourceSchema,
  profileFields,
} from "./profile.ts";
export {
  type SessionFeatures,
  SessionFeaturesSchema,
  type SessionResponse,
  SessionResponseSchema,
  type SessionUser,
  SessionUserSchema,
} from "./session.ts";
export {
  type NewTask,
  NewTaskSchema,
  type Task,
  TaskIdSchema,
  type TaskList,
  TaskListSchema,
  type TaskPatch,
  TaskPatchSchema,
  TaskSchema,
  type TasksAdminSummary,
  TasksAdminSummarySchema,
  TaskTitleSchema,
  tasksApi,
  tasksApiPaths,
} from "./tasks.ts";
