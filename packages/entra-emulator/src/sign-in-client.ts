/** Test helpers that drive the emulator's pages over plain HTTP, as a browser without JS. */
import { consentFields, customerPageFields, deviceLoginFields, signInFields } from "./pages.ts";
import { sessionCookie } from "./routes/browser.ts";

export interface SignInResult {
  /**
   * Where the answer goes: the redirect back to the app (`redirect_uri?code=…&state=…`, or
   * `#…` with `response_mode=fragment`, or `?error=…`); with `response_mode=form_post`, the
   * redirect URI the page posts `form` to.
   */
  location: string;
  /** `response_mode=form_post`: the fields the page posts to `location`. */
  form?: Record<string, string>;
  /** The emulator's session cookie (`name=value`), for a later prompt=none, SSO or logout. */
  cookie: string | undefined;
  /**
   * The permissions the consent prompt listed, when one was shown (whatever the answer):
   * Graph's in short form (`Mail.Read`), an API's as `<Application ID URI>/<scope>`.
   */
  consentPrompt?: string[];
}

/** The answer to a consent prompt: `decline` presses Cancel (→ `access_denied`, AADSTS65004). */
export type ConsentDecision = "accept" | "decline";

export interface SignInOptions {
  /** The emulator's session cookie: with it, Entra's single sign-on may skip the picker. */
  cookie?: string;
  /** Press Cancel on the sign-in form. */
  cancel?: boolean;
  consent?: ConsentDecision;
  /**
   * Customer tenants: create this account on the sign-up page (External ID's `prompt=create`
   * shows it first; otherwise the sign-in page's sign-up link leads there).
   */
  signUp?: NewCustomerAccount | "cancel";
  /** B2C's sign-up/sign-in page: press "Forgot your password?" (the app gets AADB2C90118). */
  forgotPassword?: boolean;
  /** B2C's profile edit user flow: the new attributes (unnamed ones stay), or Cancel. */
  profile?: ProfileChanges | "cancel";
  /** B2C's password reset user flow: the account's e-mail address and a new password. */
  passwordReset?: { email: string; newPassword?: string } | "cancel";
}

/** A customer account created on the sign-up page. */
export interface NewCustomerAccount {
  email: string;
  displayName: string;
  givenName: string;
  surname: string;
}

export type ProfileChanges = Partial<
  Pick<NewCustomerAccount, "displayName" | "givenName" | "surname">
>;

export interface SignOutResult {
  /** The apps' front-channel logout URLs the page loads in iframes (`…?sid=<session sid>`). */
  frontchannelUris: string[];
  /** Where the page continues: `post_logout_redirect_uri` (+ `state`) when it was allowed. */
  redirect: string | undefined;
}

/**
 * GETs the authorize URL (or an admin consent URL), then submits the sign-in form as `user`
 * (a UPN, or an index into the listed accounts), and answers the consent prompt if one
 * follows (`consent`, default `accept`). With `options.cookie` the emulator may sign its
 * session's user in without the form (single sign-on), as Entra does; `user` is then not
 * asked. Does not follow the answer to the app: the caller hands it to its own callback.
 * Throws with the emulator's AADSTS message when the request is rejected with an error
 * page, or when the user's tenant needs an administrator's approval ("Need admin approval",
 * AADSTS90094) — with `consent: "decline"` it returns from that page to the app instead.
 */
export async function signInAs(
  authorizeUrl: string,
  user: string | number,
  options: SignInOptions = {},
): Promise<SignInResult> {
  const headers: Record<string, string> = options.cookie ? { cookie: options.cookie } : {};
  const page = await fetch(authorizeUrl, { redirect: "manual", headers });
  return followPages(page, authorizeUrl, user, options, options.cookie);
}

/**
 * The device code flow's browser half: opens `verificationUri`, types `userCode`, then
 * signs in as `user` and answers the consent prompt like `signInAs`. Resolves once the page
 * says the device may continue (the device's polling then gets its tokens); throws when the
 * code is refused. `consent: "decline"` or `cancel` make the device's polling fail.
 */
export async function signInWithDeviceCode(
  verificationUri: string,
  userCode: string,
  user: string | number,
  options: SignInOptions = {},
): Promise<{ cookie: string | undefined; consentPrompt?: string[]; approved: boolean }> {
  const entry = await fetch(verificationUri, { redirect: "manual" });
  const html = await entry.text();
  const action = formAction(html);
  if (entry.status !== 200 || !action) {
    throw new Error(`the emulator's device login page was not found (${entry.status})`);
  }
  const page = await postForm(
    new URL(action, verificationUri),
    new URLSearchParams({ [deviceLoginFields.userCode]: userCode }),
    options.cookie,
  );
  const result = await followPages(page, verificationUri, user, options, options.cookie);
  return {
    cookie: result.cookie,
    approved: result.location === deviceApproved,
    ...(result.consentPrompt ? { consentPrompt: result.consentPrompt } : {}),
  };
}

const deviceApproved = "device:approved";
const deviceDeclined = "device:declined";

/**
 * Plays the part of the browser from one of the emulator's answers: a redirect to the app,
 * a form_post page, the account picker, the consent prompt, the device code's last page, or
 * an error page.
 */
async function followPages(
  first: Response,
  base: string,
  user: string | number,
  options: SignInOptions,
  startCookie: string | undefined,
): Promise<SignInResult> {
  let response = first;
  let cookie = startCookie;
  let consentPrompt: string[] | undefined;
  const done = (result: Omit<SignInResult, "cookie" | "consentPrompt">): SignInResult => ({
    ...result,
    cookie,
    ...(consentPrompt ? { consentPrompt } : {}),
  });
  for (let step = 0; step < 6; step += 1) {
    cookie =
      response.headers
        .getSetCookie()
        .find((c) => c.startsWith(`${sessionCookie}=`))
        ?.split(";")[0] ?? cookie;
    const redirected = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && redirected) {
      return done({ location: new URL(redirected, base).href });
    }
    const html = await response.text();
    if (response.status !== 200) {
      throw new Error(
        `the emulator refused the ${step === 0 ? "authorize request" : "sign-in"} (${response.status}): ${errorMessage(html)}`,
      );
    }
    const posted = formPost(html);
    if (posted) return done({ location: new URL(posted.action, base).href, form: posted.fields });
    if (html.includes('id="device-approved"')) return done({ location: deviceApproved });
    if (html.includes('id="device-declined"')) return done({ location: deviceDeclined });

    const action = formAction(html);
    const transaction = hiddenField(html, signInFields.transaction);
    const consentRequest = hiddenField(html, consentFields.request);
    const pageRequest = hiddenField(html, customerPageFields.request);
    if (action && pageRequest) {
      const form = customerPageForm(html, pageRequest, options);
      response = await postForm(new URL(action, base), form, cookie);
      continue;
    }
    if (action && transaction && (options.forgotPassword || options.signUp)) {
      const button = options.forgotPassword ? signInFields.forgotPassword : signInFields.signUp;
      if (!html.includes(`name="${button}"`)) {
        throw new Error(`the emulator's sign-in page offers no ${button} button`);
      }
      response = await postForm(
        new URL(action, base),
        new URLSearchParams({ [signInFields.transaction]: transaction, [button]: "1" }),
        cookie,
      );
      continue;
    }
    if (action && transaction) {
      const accounts = [
        ...html.matchAll(new RegExp(`name="${signInFields.user}" value="([^"]+)"`, "g")),
      ].map((m) => decodeEntities(m[1]!));
      const login = typeof user === "number" ? accounts[user] : user;
      if (login === undefined) {
        throw new RangeError(`no account at index ${user}; the form lists ${accounts.length}`);
      }
      const form = new URLSearchParams({ [signInFields.transaction]: transaction });
      if (options.cancel) form.set(signInFields.cancel, "1");
      else form.set(signInFields.user, login);
      response = await postForm(new URL(action, base), form, cookie);
      continue;
    }
    if (action && consentRequest) {
      consentPrompt = [...html.matchAll(/<li data-scope="([^"]+)"/g)].map((m) =>
        decodeEntities(m[1]!),
      );
      // "Need admin approval": only going back (declining) is possible for this user.
      if (html.includes('id="admin-approval"') && options.consent !== "decline") {
        throw new Error(`the emulator asks for admin approval: ${errorMessage(html)}`);
      }
      const decision = options.consent === "decline" ? consentFields.cancel : consentFields.accept;
      response = await postForm(
        new URL(action, base),
        new URLSearchParams({
          [consentFields.request]: consentRequest,
          [consentFields.decision]: decision,
        }),
        cookie,
      );
      continue;
    }
    throw new Error(`the emulator answered a page signInAs does not know: ${errorMessage(html)}`);
  }
  throw new Error("the emulator's pages did not end after five steps");
}

/**
 * The form a customer tenant's page (sign-up, profile edit, password reset) posts, from the
 * options: its fields filled in, or Cancel. Throws when the options say nothing for it.
 */
function customerPageForm(html: string, request: string, options: SignInOptions): URLSearchParams {
  const f = customerPageFields;
  const form = new URLSearchParams({ [f.request]: request });
  const cancel = () => {
    form.set(f.decision, f.cancel);
    return form;
  };
  if (html.includes('id="sign-up"')) {
    if (!options.signUp) throw new Error("the emulator shows its sign-up page: pass signUp");
    if (options.signUp === "cancel") return cancel();
    const account = options.signUp;
    form.set(f.email, account.email);
    form.set(f.displayName, account.displayName);
    form.set(f.givenName, account.givenName);
    form.set(f.surname, account.surname);
    form.set(f.decision, f.create);
    return form;
  }
  if (html.includes('id="profile-edit"')) {
    if (!options.profile) throw new Error("the emulator shows its profile edit page: pass profile");
    if (options.profile === "cancel") return cancel();
    for (const name of [f.displayName, f.givenName, f.surname] as const) {
      form.set(name, options.profile[name] ?? inputValue(html, name) ?? "");
    }
    form.set(f.decision, f.continue);
    return form;
  }
  if (html.includes('id="password-reset"')) {
    if (!options.passwordReset) {
      throw new Error("the emulator shows its password reset page: pass passwordReset");
    }
    if (options.passwordReset === "cancel") return cancel();
    form.set(f.email, options.passwordReset.email);
    form.set(f.newPassword, options.passwordReset.newPassword ?? "dev-only-new-password");
    form.set(f.decision, f.continue);
    return form;
  }
  throw new Error(`the emulator answered a page signInAs does not know: ${errorMessage(html)}`);
}

/**
 * Customer tenants' self-service sign-up, like a browser: `authorizeUrl` (External ID with
 * `prompt=create`, or a sign-in page with a sign-up link, as B2C's sign-up/sign-in) → the
 * sign-up page → the new account signed in. Resolves like `signInAs`.
 */
export function signUpAs(
  authorizeUrl: string,
  account: NewCustomerAccount,
  options: Omit<SignInOptions, "signUp"> = {},
): Promise<SignInResult> {
  return signInAs(authorizeUrl, 0, { ...options, signUp: account });
}

/**
 * B2C's profile edit user flow, like a browser: with `options.cookie` the signed-in user is
 * edited (single sign-on), else `options.user` signs in first; then `changes` are submitted
 * (`"cancel"`: the app gets AADB2C90091).
 */
export function editProfileAs(
  authorizeUrl: string,
  changes: ProfileChanges | "cancel",
  options: Omit<SignInOptions, "profile"> & { user?: string | number } = {},
): Promise<SignInResult> {
  return signInAs(authorizeUrl, options.user ?? 0, { ...options, profile: changes });
}

/**
 * GETs the emulator's end-session URL as the browser would (with its session cookie, e.g.
 * `signInAs(…).cookie`) and reads the signed-out page: the front-channel logout URLs it
 * loads in iframes, and where it continues. Follows neither.
 */
export async function signOut(
  logoutUrl: string,
  options: { cookie?: string } = {},
): Promise<SignOutResult> {
  const response = await fetch(logoutUrl, {
    redirect: "manual",
    headers: options.cookie ? { cookie: options.cookie } : {},
  });
  const html = await response.text();
  if (response.status !== 200) {
    throw new Error(
      `the emulator refused the sign-out (${response.status}): ${errorMessage(html)}`,
    );
  }
  const frontchannelUris = [...html.matchAll(/<iframe src="([^"]+)"/g)].map((m) =>
    decodeEntities(m[1]!),
  );
  const redirect = /<a id="continue" href="([^"]+)"/.exec(html)?.[1];
  return {
    frontchannelUris,
    redirect: redirect === undefined ? undefined : decodeEntities(redirect),
  };
}

function postForm(url: URL, form: URLSearchParams, cookie: string | undefined) {
  return fetch(url, {
    method: "POST",
    redirect: "manual",
    headers: {
      ...(cookie ? { cookie } : {}),
      "content-type": "application/x-www-form-urlencoded",
    },
    body: form,
  });
}

function formAction(html: string): string | undefined {
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  return action === undefined ? undefined : decodeEntities(action);
}

function formPost(html: string): { action: string; fields: Record<string, string> } | undefined {
  const action = /<form method="post" action="([^"]+)" data-response-mode="form_post">/.exec(
    html,
  )?.[1];
  if (action === undefined) return undefined;
  const fields = Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
      decodeEntities(m[1]!),
      decodeEntities(m[2]!),
    ]),
  );
  return { action: decodeEntities(action), fields };
}

function inputValue(html: string, name: string): string | undefined {
  const value = new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
  return value === undefined ? undefined : decodeEntities(value);
}

function hiddenField(html: string, name: string): string | undefined {
  const value = new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1];
  return value === undefined ? undefined : decodeEntities(value);
}

function errorMessage(html: string): string {
  return decodeEntities(
    /<p id="error-message"[^>]*>([^<]*)<\/p>/.exec(html)?.[1] ?? html.slice(0, 300),
  );
}

function decodeEntities(value: string): string {
  return value.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}
