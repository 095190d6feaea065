/** Test helpers that drive the emulator's pages over plain HTTP, as a browser without JS. */
import { consentFields, signInFields } from "./pages.ts";
import { sessionCookie } from "./routes/authorize.ts";

export interface SignInResult {
  /** The redirect back to the app: `redirect_uri?code=…&state=…` (or `?error=…`). */
  location: string;
  /** The emulator's session cookie (`name=value`), for a later prompt=none or logout. */
  cookie: string | undefined;
  /** The Graph scopes the consent prompt listed, when one was shown (whatever the answer). */
  consentPrompt?: string[];
}

/** The answer to a consent prompt: `decline` presses Cancel (→ `access_denied`, AADSTS65004). */
export type ConsentDecision = "accept" | "decline";

export interface SignOutResult {
  /** The apps' front-channel logout URLs the page loads in iframes (`…?sid=<session sid>`). */
  frontchannelUris: string[];
  /** Where the page continues: `post_logout_redirect_uri` (+ `state`) when it was allowed. */
  redirect: string | undefined;
}

/**
 * GETs the authorize URL, then submits the sign-in form as `user` (a UPN, or an index into
 * the listed accounts), and answers the consent prompt if one follows (`consent`, default
 * `accept`). Does not follow the redirect back to the app: the caller hands the Location to
 * its own callback. Throws with the emulator's AADSTS message when the authorize request is
 * rejected with an error page.
 */
export async function signInAs(
  authorizeUrl: string,
  user: string | number,
  options: { cookie?: string; cancel?: boolean; consent?: ConsentDecision } = {},
): Promise<SignInResult> {
  const headers: Record<string, string> = options.cookie ? { cookie: options.cookie } : {};
  const page = await fetch(authorizeUrl, { redirect: "manual", headers });
  const redirected = page.headers.get("location");
  if (page.status >= 300 && page.status < 400 && redirected) {
    return { location: new URL(redirected, authorizeUrl).href, cookie: options.cookie };
  }
  const html = await page.text();
  if (page.status !== 200) {
    throw new Error(
      `the emulator refused the authorize request (${page.status}): ${errorMessage(html)}`,
    );
  }
  const action = formAction(html);
  const transaction = hiddenField(html, signInFields.transaction);
  if (!action || !transaction) throw new Error("the emulator's sign-in form was not found");
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
  const response = await postForm(new URL(action, authorizeUrl), form, options.cookie);
  const cookie =
    response.headers
      .getSetCookie()
      .find((c) => c.startsWith(`${sessionCookie}=`))
      ?.split(";")[0] ?? options.cookie;
  const location = response.headers.get("location");
  if (location) return { location: new URL(location, authorizeUrl).href, cookie };

  const prompt = await response.text();
  const consentRequest = hiddenField(prompt, consentFields.request);
  const consentAction = formAction(prompt);
  if (response.status !== 200 || !consentRequest || !consentAction) {
    throw new Error(
      `the emulator rejected the sign-in (${response.status}): ${errorMessage(prompt)}`,
    );
  }
  const consentPrompt = [...prompt.matchAll(/<li data-scope="([^"]+)"/g)].map((m) =>
    decodeEntities(m[1]!),
  );
  const decision = options.consent === "decline" ? consentFields.cancel : consentFields.accept;
  const answer = await postForm(
    new URL(consentAction, authorizeUrl),
    new URLSearchParams({
      [consentFields.request]: consentRequest,
      [consentFields.decision]: decision,
    }),
    cookie,
  );
  const answered = answer.headers.get("location");
  if (!answered) {
    throw new Error(
      `the emulator rejected the consent (${answer.status}): ${errorMessage(await answer.text())}`,
    );
  }
  return { location: new URL(answered, authorizeUrl).href, cookie, consentPrompt };
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

function hiddenField(html: string, name: string): string | undefined {
  const value = new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1];
  return value === undefined ? undefined : decodeEntities(value);
}

function errorMessage(html: string): string {
  return decodeEntities(/<p id="error-message">([^<]*)<\/p>/.exec(html)?.[1] ?? html.slice(0, 300));
}

function decodeEntities(value: string): string {
  return value.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}
