import Type, { type Static } from "typebox";

/**
 * `POST /auth/logout` with `Accept: application/json`: where the SPA must send the browser
 * next (Entra's end-session endpoint). A `fetch` cannot follow a cross-origin 303 usefully
 * (`redirect: "manual"` yields an unreadable opaque redirect), so the SPA asks for JSON and
 * navigates itself. Without that `Accept` header the BFF answers `303 See Other` instead.
 */
export const LogoutResponseSchema = Type.Object(
  {
    redirectTo: Type.String(),
  },
  { additionalProperties: false },
);
export type LogoutResponse = Static<typeof LogoutResponseSchema>;
