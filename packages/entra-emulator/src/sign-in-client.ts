/** signInAs: a test helper that signs in through the emulator's form over plain HTTP. */

export interface SignInResult {
  /** The redirect back to the app: `redirect_uri?code=…&state=…` (or `?error=…`). */
  location: string;
  /** The emulator's session cookie (`name=value`), for a later prompt=none or logout. */
  cookie: string | undefined;
}

/**
 * GETs the authorize URL, then submits the sign-in form as `user` (a UPN, or an index into
 * the listed accounts). Does not follow the redirect back to the app: the caller hands the
 * Location to its own callback. Throws with the emulator's AADSTS message when the
 * authorize request is rejected with an error page.
 */
export async function signInAs(
  authorizeUrl: string,
  user: string | number,
  options: { cookie?: string; cancel?: boolean } = {},
): Promise<SignInResult> {
  const headers: Record<string, string> = options.cookie ? { cookie: options.cookie } : {};
  const page = await fetch(authorizeUrl, { redirect: "manual", headers });
  const redirected = page.headers.get("location");
  if (page.status >= 300 && page.status < 400 && redirected) {
    return { location: new URL(redirected, authorizeUrl).href, cookie: options.cookie };
  }
  const html = await page.text();
  if (page.status !== 200) {
    const message = /<p id="error-message">([^<]*)<\/p>/.exec(html)?.[1] ?? html.slice(0, 300);
    throw new Error(
      `the emulator refused the authorize request (${page.status}): ${decodeEntities(message)}`,
    );
  }
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const transaction = /name="transaction" value="([^"]+)"/.exec(html)?.[1];
  if (!action || !transaction) throw new Error("the emulator's sign-in form was not found");
  const accounts = [...html.matchAll(/name="login" value="([^"]+)"/g)].map((m) =>
    decodeEntities(m[1]!),
  );
  const login = typeof user === "number" ? accounts[user] : user;
  if (login === undefined) {
    throw new RangeError(`no account at index ${user}; the form lists ${accounts.length}`);
  }

  const form = new URLSearchParams({ transaction: decodeEntities(transaction) });
  if (options.cancel) form.set("cancel", "1");
  else form.set("login", login);
  const response = await fetch(new URL(decodeEntities(action), authorizeUrl), {
    method: "POST",
    redirect: "manual",
    headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
    body: form,
  });
  const location = response.headers.get("location");
  if (!location) {
    const text = await response.text();
    const message = /<p id="error-message">([^<]*)<\/p>/.exec(text)?.[1] ?? text.slice(0, 300);
    throw new Error(
      `the emulator rejected the sign-in (${response.status}): ${decodeEntities(message)}`,
    );
  }
  const setCookie = response.headers
    .getSetCookie()
    .find((c) => c.startsWith("entra_emulator_sid="));
  return {
    location: new URL(location, authorizeUrl).href,
    cookie: setCookie?.split(";")[0] ?? options.cookie,
  };
}

function decodeEntities(value: string): string {
  return value.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}
