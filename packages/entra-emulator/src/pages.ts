/**
 * The HTML the browser sees: sign-in form, consent prompt, error, signed-out and device
 * login pages. No JS, except the one line that posts a `form_post` answer (allowed by hash).
 */
import { createHash } from "node:crypto";
import { signInName } from "./customer-tenants.ts";
import type { TenantKind, TestUser } from "./types.ts";

/** Form field names, also used by `signInAs`. */
export const signInFields = {
  transaction: "transaction",
  user: "login",
  cancel: "cancel",
  /** Customer tenants: "Sign up now" / "No account? Create one" (the sign-up page). */
  signUp: "sign_up",
  /** B2C's sign-up/sign-in "Forgot your password?" (the app gets AADB2C90118). */
  forgotPassword: "forgot_password",
} as const;

/**
 * The customer tenants' self-asserted pages (sign-up, B2C's profile edit and password
 * reset): the page's id (hidden), the attributes, and the button pressed, `decision` =
 * `create` (sign-up), `continue` or `cancel`.
 */
export const customerPageFields = {
  request: "page_request",
  email: "email",
  displayName: "displayName",
  givenName: "givenName",
  surname: "surname",
  newPassword: "newPassword",
  decision: "decision",
  create: "create",
  continue: "continue",
  cancel: "cancel",
} as const;

/**
 * The consent prompt's fields: the pending consent's id (hidden) and the button pressed,
 * `decision` = `accept` or `cancel`. Who signs in and what is granted stay on the server.
 */
export const consentFields = {
  request: "consent_request",
  decision: "decision",
  accept: "accept",
  cancel: "cancel",
  /** On "Need admin approval": back to the account picker, to sign in as an admin. */
  switchAccount: "switch_account",
} as const;

/** Pages embed only inline styles and (on sign-out) the apps' logout iframes. */
export const pageSecurityHeaders = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "x-frame-options": "DENY",
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; frame-src http: https:; frame-ancestors 'none'",
};

/** The form the device login page sends: the code the device shows. */
export const deviceLoginFields = { userCode: "otc" } as const;

const formPostScript = "document.forms[0].submit();";
const formPostScriptHash = createHash("sha256").update(formPostScript).digest("base64");

/**
 * A `form_post` answer: the browser posts it to the app at once. The one inline script is
 * allowed by its hash; the form may go only to the app's (registered) redirect URI.
 */
export const formPostSecurityHeaders = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "x-frame-options": "DENY",
  "content-security-policy": `default-src 'none'; script-src 'sha256-${formPostScriptHash}'; style-src 'unsafe-inline'; frame-ancestors 'none'`,
};

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function layout(title: string, body: string, head = ""): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
${head}
<style>
  body { font-family: system-ui, sans-serif; background: #f2f2f2; margin: 0; }
  main { max-width: 26rem; margin: 4rem auto; background: #fff; padding: 2rem; box-shadow: 0 2px 6px #0003; }
  h1 { font-size: 1.4rem; font-weight: 600; margin-top: 0; }
  .note { color: #555; font-size: .85rem; }
  button { display: block; width: 100%; text-align: left; padding: .8rem; margin: .5rem 0;
    border: 1px solid #ccc; background: #fff; cursor: pointer; font: inherit; }
  button:hover, button:focus { background: #eef5ff; border-color: #0067b8; }
  button.cancel { text-align: center; color: #333; background: #eee; }
  small { display: block; color: #555; }
  label { display: block; margin: .6rem 0; font-size: .9rem; }
  input { display: block; width: 100%; box-sizing: border-box; padding: .5rem; margin-top: .2rem; font: inherit; }
  #error-message { color: #a4262c; }
  code { word-break: break-all; }
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

const tenantKindNames: Record<TenantKind, string> = {
  workforce: "Entra ID",
  external: "Entra External ID",
  b2c: "Azure AD B2C",
};

export function signInPage(options: {
  action: string;
  transaction: string;
  users: TestUser[];
  loginHint: string | undefined;
  clientId: string;
  tenantKind?: TenantKind;
  /** Customer tenants: a link to the sign-up page. */
  offerSignUp?: boolean;
  /** B2C sign-up/sign-in: "Forgot your password?". */
  offerPasswordReset?: boolean;
}): string {
  const kind = options.tenantKind ?? "workforce";
  const hint = options.loginHint?.toLowerCase();
  // A login_hint pre-selects that account, as Entra pre-fills it; the order stays the
  // directory's, so an account's position (signInAs by index) does not depend on the hint.
  const buttons = options.users
    .map((user) => {
      const hinted = user.userPrincipalName.toLowerCase() === hint;
      // Customers sign in with their e-mail address; the UPN is an internal id.
      const shown = signInName(kind, user);
      return (
        `<button type="submit" name="${signInFields.user}" value="${escapeHtml(user.userPrincipalName)}"${hinted ? " autofocus data-login-hint" : ""}>` +
        `${escapeHtml(user.displayName)}<small>${escapeHtml(shown)}</small></button>`
      );
    })
    .join("\n");
  const links = [
    options.offerPasswordReset
      ? `<button type="submit" name="${signInFields.forgotPassword}" value="1">Forgot your password?</button>`
      : "",
    options.offerSignUp
      ? `<button type="submit" name="${signInFields.signUp}" value="1">${kind === "b2c" ? "Don't have an account? Sign up now" : "No account? Create one"}</button>`
      : "",
  ]
    .filter(Boolean)
    .join("\n");
  return layout(
    "Sign in to your account",
    `<h1>${kind === "workforce" ? "Pick an account" : "Sign in"}</h1>
<p class="note">${tenantKindNames[kind]} emulator (dev-only). App <code>${escapeHtml(options.clientId)}</code> asks you to sign in.</p>
<form method="post" action="${escapeHtml(options.action)}">
<input type="hidden" name="${signInFields.transaction}" value="${escapeHtml(options.transaction)}">
${buttons}
${links}
<button class="cancel" type="submit" name="${signInFields.cancel}" value="1">Cancel</button>
</form>`,
  );
}

/** A labelled text input of a self-asserted page. */
function textField(name: string, label: string, value: string, type = "text"): string {
  return `<label>${escapeHtml(label)}<input type="${type}" name="${name}" value="${escapeHtml(value)}" autocomplete="off" required></label>`;
}

function pageError(error: string | undefined): string {
  return error ? `<p id="error-message" role="alert">${escapeHtml(error)}</p>` : "";
}

/**
 * External ID's and B2C's self-service sign-up: a new local account (e-mail address, display
 * name, given name, surname). As on the sign-in page, no password: the emulator checks none.
 */
export function signUpPage(options: {
  action: string;
  request: string;
  tenantKind: TenantKind;
  values?: Partial<Record<"email" | "displayName" | "givenName" | "surname", string>>;
  error?: string;
}): string {
  const f = customerPageFields;
  const v = options.values ?? {};
  return layout(
    "Create account",
    `<h1 id="sign-up">Create account</h1>
${pageError(options.error)}
<form method="post" action="${escapeHtml(options.action)}">
<input type="hidden" name="${f.request}" value="${escapeHtml(options.request)}">
${textField(f.email, "Email address", v.email ?? "", "email")}
${textField(f.displayName, "Display name", v.displayName ?? "")}
${textField(f.givenName, "Given name", v.givenName ?? "")}
${textField(f.surname, "Surname", v.surname ?? "")}
<button type="submit" name="${f.decision}" value="${f.create}">Create</button>
<button class="cancel" type="submit" name="${f.decision}" value="${f.cancel}" formnovalidate>Cancel</button>
</form>
<p class="note">${tenantKindNames[options.tenantKind]} emulator (dev-only): the account lives until the emulator stops.</p>`,
  );
}

/** B2C's profile editing user flow: the signed-in user's attributes, to change. */
export function profileEditPage(options: {
  action: string;
  request: string;
  user: TestUser;
  values?: Partial<Record<"displayName" | "givenName" | "surname", string>>;
  error?: string;
}): string {
  const f = customerPageFields;
  const { user } = options;
  const v = options.values ?? {};
  return layout(
    "Edit profile",
    `<h1 id="profile-edit">Edit profile</h1>
<p id="profile-account">${escapeHtml(user.mail ?? user.userPrincipalName)}</p>
${pageError(options.error)}
<form method="post" action="${escapeHtml(options.action)}">
<input type="hidden" name="${f.request}" value="${escapeHtml(options.request)}">
${textField(f.displayName, "Display name", v.displayName ?? user.displayName)}
${textField(f.givenName, "Given name", v.givenName ?? user.givenName)}
${textField(f.surname, "Surname", v.surname ?? user.surname)}
<button type="submit" name="${f.decision}" value="${f.continue}">Continue</button>
<button class="cancel" type="submit" name="${f.decision}" value="${f.cancel}" formnovalidate>Cancel</button>
</form>
<p class="note">Azure AD B2C emulator (dev-only).</p>`,
  );
}

/**
 * B2C's password reset user flow: the account's e-mail address (which B2C verifies with a
 * code; the emulator does not) and a new password (never stored: the emulator checks none).
 */
export function passwordResetPage(options: {
  action: string;
  request: string;
  email?: string;
  error?: string;
}): string {
  const f = customerPageFields;
  return layout(
    "Reset your password",
    `<h1 id="password-reset">Reset your password</h1>
${pageError(options.error)}
<form method="post" action="${escapeHtml(options.action)}">
<input type="hidden" name="${f.request}" value="${escapeHtml(options.request)}">
${textField(f.email, "Email address", options.email ?? "", "email")}
${textField(f.newPassword, "New password", "", "password")}
<button type="submit" name="${f.decision}" value="${f.continue}">Continue</button>
<button class="cancel" type="submit" name="${f.decision}" value="${f.cancel}" formnovalidate>Cancel</button>
</form>
<p class="note">Azure AD B2C emulator (dev-only).</p>`,
  );
}

function permissionList(permissions: { scope: string; description: string }[]): string {
  return permissions
    .map(
      (p) =>
        `<li data-scope="${escapeHtml(p.scope)}">${escapeHtml(p.description)}<small>${escapeHtml(p.scope)}</small></li>`,
    )
    .join("\n");
}

export function consentPage(options: {
  action: string;
  request: string;
  clientId: string;
  appName: string;
  user: TestUser;
  permissions: { scope: string; description: string }[];
  /** Admin consent: the grant is for everyone in this organization. */
  organization?: string;
}): string {
  const note = options.organization
    ? `Accepting grants these permissions for every user in <strong id="consent-organization">${escapeHtml(options.organization)}</strong>; nobody there will be asked again.`
    : "Accepting lets this app use the data as described.";
  return layout(
    "Permissions requested",
    `<h1>Permissions requested${options.organization ? " — accept for your organization" : ""}</h1>
<p id="consent-account">${escapeHtml(options.user.displayName)}<small>${escapeHtml(options.user.userPrincipalName)}</small></p>
<p>App <code id="consent-client">${escapeHtml(options.clientId)}</code> (${escapeHtml(options.appName)}) would like to:</p>
<ul id="consent-permissions">
${permissionList(options.permissions)}
</ul>
<p class="note">${note} Entra ID emulator (dev-only).</p>
<form method="post" action="${escapeHtml(options.action)}">
<input type="hidden" name="${consentFields.request}" value="${escapeHtml(options.request)}">
<button class="cancel" type="submit" name="${consentFields.decision}" value="${consentFields.accept}">Accept</button>
<button class="cancel" type="submit" name="${consentFields.decision}" value="${consentFields.cancel}">Cancel</button>
</form>`,
  );
}

/**
 * Entra's "Need admin approval": the user's tenant lets only administrators consent. The
 * form can only return to the app (access_denied) or go back to the account picker.
 */
export function adminApprovalPage(options: {
  action: string;
  request: string;
  appName: string;
  user: TestUser;
  code: string;
  message: string;
  permissions: { scope: string; description: string }[];
}): string {
  return layout(
    "Need admin approval",
    `<h1 id="admin-approval">Need admin approval</h1>
<p>${escapeHtml(options.appName)} needs permission to access resources in your organization that only an admin can grant. Please ask an admin to grant permission to this app before you can use it.</p>
<p id="consent-account">${escapeHtml(options.user.displayName)}<small>${escapeHtml(options.user.userPrincipalName)}</small></p>
<ul id="consent-permissions">
${permissionList(options.permissions)}
</ul>
<p id="error-code"><strong>${escapeHtml(options.code)}</strong></p>
<p id="error-message">${escapeHtml(options.message)}</p>
<form method="post" action="${escapeHtml(options.action)}">
<input type="hidden" name="${consentFields.request}" value="${escapeHtml(options.request)}">
<button type="submit" name="${consentFields.decision}" value="${consentFields.switchAccount}">Have an admin account? Sign in with that account</button>
<button class="cancel" type="submit" name="${consentFields.decision}" value="${consentFields.cancel}">Return to the application without granting consent</button>
</form>
<p class="note">Entra ID emulator (dev-only).</p>`,
  );
}

export function errorPage(code: string, message: string): string {
  return layout(
    "Sign in error",
    `<h1>Sorry, but we're having trouble signing you in.</h1>
<p id="error-code"><strong>${escapeHtml(code)}</strong></p>
<p id="error-message">${escapeHtml(message)}</p>
<p class="note">Entra ID emulator (dev-only).</p>`,
  );
}

export function signedOutPage(options: { frontchannelUris: string[]; redirect?: string }): string {
  const frames = options.frontchannelUris
    .map(
      (uri) =>
        `<iframe src="${escapeHtml(uri)}" title="front-channel logout" style="display:none" hidden></iframe>`,
    )
    .join("\n");
  const next = options.redirect
    ? `<p><a id="continue" href="${escapeHtml(options.redirect)}">Continue</a></p>`
    : "<p>It's a good idea to close all browser windows.</p>";
  // Without JavaScript, a meta refresh moves on once the iframes had a moment to load.
  const refresh = options.redirect
    ? `<meta http-equiv="refresh" content="${frames ? 2 : 0};url=${escapeHtml(options.redirect)}">`
    : "";
  return layout(
    "Signed out",
    `<h1>You signed out of your account</h1>
${next}
${frames}`,
    refresh,
  );
}

/**
 * `response_mode=form_post`: a form the page submits by itself (and a button without
 * JavaScript). `data-response-mode` lets `signInAs` recognise it.
 */
export function formPostPage(options: { action: string; fields: [string, string][] }): string {
  const inputs = options.fields
    .map(
      ([name, value]) =>
        `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`,
    )
    .join("\n");
  return layout(
    "Working...",
    `<h1>Signing you in…</h1>
<form method="post" action="${escapeHtml(options.action)}" data-response-mode="form_post">
${inputs}
<noscript><button type="submit">Continue</button></noscript>
</form>
<script>${formPostScript}</script>`,
  );
}

/** The device code flow's page: the user types the code the device shows. */
export function deviceLoginPage(options: {
  action: string;
  userCode: string | undefined;
  error?: string;
}): string {
  const error = options.error ? `<p id="error-message">${escapeHtml(options.error)}</p>` : "";
  return layout(
    "Enter code",
    `<h1>Enter code</h1>
<p>Enter the code displayed on your app or device.</p>
${error}
<form method="post" action="${escapeHtml(options.action)}">
<input name="${deviceLoginFields.userCode}" value="${escapeHtml(options.userCode ?? "")}" aria-label="Code" autocomplete="off" autofocus>
<button type="submit">Next</button>
</form>
<p class="note">Entra ID emulator (dev-only).</p>`,
  );
}

/** After a device code sign-in: the device may now continue (or was told the user declined). */
export function deviceDonePage(options: { appName: string; approved: boolean }): string {
  const text = options.approved
    ? `You have signed in to the ${escapeHtml(options.appName)} application on your device. You may now close this window.`
    : "You declined to sign in to the application on your device. You may now close this window.";
  return layout(
    options.approved ? "Signed in" : "Sign-in declined",
    `<h1 id="device-${options.approved ? "approved" : "declined"}">${options.approved ? "You're signed in" : "Sign-in declined"}</h1>
<p>${text}</p>
<p class="note">Entra ID emulator (dev-only).</p>`,
  );
}
