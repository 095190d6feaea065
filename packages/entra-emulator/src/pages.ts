/** The HTML the browser sees: sign-in form, consent prompt, error and signed-out pages. No JS. */
import type { TestUser } from "./types.ts";

/** Form field names, also used by `signInAs`. */
export const signInFields = {
  transaction: "transaction",
  user: "login",
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
} as const;

/** Pages embed only inline styles and (on sign-out) the apps' logout iframes. */
export const pageSecurityHeaders = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "x-frame-options": "DENY",
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; frame-src http: https:; frame-ancestors 'none'",
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
  code { word-break: break-all; }
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

export function signInPage(options: {
  action: string;
  transaction: string;
  users: TestUser[];
  loginHint: string | undefined;
  clientId: string;
}): string {
  const hint = options.loginHint?.toLowerCase();
  // A login_hint puts that account first, as Entra pre-selects it.
  const users = [...options.users].sort(
    (a, b) =>
      Number(b.userPrincipalName.toLowerCase() === hint) -
      Number(a.userPrincipalName.toLowerCase() === hint),
  );
  const buttons = users
    .map(
      (user) =>
        `<button type="submit" name="${signInFields.user}" value="${escapeHtml(user.userPrincipalName)}">` +
        `${escapeHtml(user.displayName)}<small>${escapeHtml(user.userPrincipalName)}</small></button>`,
    )
    .join("\n");
  return layout(
    "Sign in to your account",
    `<h1>Pick an account</h1>
<p class="note">Entra ID emulator (dev-only). App <code>${escapeHtml(options.clientId)}</code> asks you to sign in.</p>
<form method="post" action="${escapeHtml(options.action)}">
<input type="hidden" name="${signInFields.transaction}" value="${escapeHtml(options.transaction)}">
${buttons}
<button class="cancel" type="submit" name="${signInFields.cancel}" value="1">Cancel</button>
</form>`,
  );
}

export function consentPage(options: {
  action: string;
  request: string;
  clientId: string;
  user: TestUser;
  permissions: { scope: string; description: string }[];
}): string {
  const items = options.permissions
    .map(
      (p) =>
        `<li data-scope="${escapeHtml(p.scope)}">${escapeHtml(p.description)}<small>${escapeHtml(p.scope)}</small></li>`,
    )
    .join("\n");
  return layout(
    "Permissions requested",
    `<h1>Permissions requested</h1>
<p id="consent-account">${escapeHtml(options.user.displayName)}<small>${escapeHtml(options.user.userPrincipalName)}</small></p>
<p>App <code id="consent-client">${escapeHtml(options.clientId)}</code> (entra-bff dev-only) would like to:</p>
<ul id="consent-permissions">
${items}
</ul>
<p class="note">Accepting lets this app use the data as described. Entra ID emulator (dev-only).</p>
<form method="post" action="${escapeHtml(options.action)}">
<input type="hidden" name="${consentFields.request}" value="${escapeHtml(options.request)}">
<button class="cancel" type="submit" name="${consentFields.decision}" value="${consentFields.accept}">Accept</button>
<button class="cancel" type="submit" name="${consentFields.decision}" value="${consentFields.cancel}">Cancel</button>
</form>`,
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
