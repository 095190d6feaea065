// The identity provider's JSON documents (OpenID configuration, keys) and the reasons a
// request for one failed, worded for the operator who reads them in /readyz or a log line.

/** OpenSSL's verdicts for a certificate chain that does not end at a trusted CA. */
const untrustedChainCodes = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_UNTRUSTED",
]);

/** A sentence to append to a failed https call's reason when the server's CA is not trusted. */
function untrustedCertificateHint(cause: unknown): string {
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code !== "string" || !untrustedChainCodes.has(code)) return "";
  return (
    " (the server's certificate is not from a CA this process trusts: for the emulator or " +
    "another private CA, set NODE_EXTRA_CA_CERTS to that CA file before the process starts)"
  );
}

/**
 * `fetch` hides the reason (ECONNREFUSED, certificate errors) in `cause`; undici's `request`
 * throws it directly. Either way the reason is named, with a hint for an untrusted CA.
 */
export function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  const hint = untrustedCertificateHint(error.cause) || untrustedCertificateHint(error);
  return `${error.message}${cause}${hint}`;
}

/**
 * GETs a JSON object, following no redirect (a document must come from where it was asked
 * for). Throws an `Error` whose message is the reason alone: no answer in time, the network
 * error, the HTTP status, or not a JSON object. `text` is the body as received.
 */
export async function fetchJsonDocument(
  url: string,
  timeoutMs: number,
): Promise<{ document: Record<string, unknown>; text: string }> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      headers: { accept: "application/json" },
      redirect: "error",
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    throw new Error(
      name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : describeFetchError(error),
    );
  }
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new Error("the answer is not JSON");
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw new Error("the answer is not a JSON object");
  }
  return { document: document as Record<string, unknown>, text };
}
