/** Full-page navigations away from the SPA (to the BFF or the identity provider). */

/**
 * Sends the browser to `url` with a normal navigation. Only http(s) URLs: a `javascript:`
 * URL from a tampered response would otherwise run in our origin.
 */
export function navigateTo(url: string): void {
  const target = new URL(url, window.location.href);
  if (target.protocol !== "https:" && target.protocol !== "http:") {
    throw new TypeError(`Refusing to navigate to a ${target.protocol} URL.`);
  }
  window.location.assign(target.href);
}

/** Whether `url` stays on this origin (used for BFF-issued sign-in links). */
export function isSameOrigin(url: string): boolean {
  try {
    return new URL(url, window.location.href).origin === window.location.origin;
  } catch {
    return false;
  }
}
