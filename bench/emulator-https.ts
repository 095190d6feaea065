// Requests to the emulator's https endpoints from this process. It started before the
// emulator made its CA, so NODE_EXTRA_CA_CERTS cannot help here (nor can fetch, which takes
// no CA): node:https with the CA passed to each request instead.
import { request } from "node:https";

export interface HttpsAnswer {
  status: number;
  body: string;
}

/** GET, or POST of a form when `form` is given. Rejects only when there is no answer. */
export function httpsRequest(
  url: string,
  ca: string,
  options: { headers?: Record<string, string>; form?: URLSearchParams } = {},
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const body = options.form?.toString();
    const req = request(
      url,
      {
        method: body === undefined ? "GET" : "POST",
        ca,
        timeout: 10_000,
        headers: {
          ...options.headers,
          ...(body === undefined ? {} : { "content-type": "application/x-www-form-urlencoded" }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${url} did not answer in 10 s`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** Like httpsRequest, but only a 200 with JSON will do. */
export async function httpsJson(
  url: string,
  ca: string,
  options: { headers?: Record<string, string>; form?: URLSearchParams } = {},
): Promise<unknown> {
  const { status, body } = await httpsRequest(url, ca, options);
  if (status !== 200) throw new Error(`${url} answered ${status}: ${body.slice(0, 500)}`);
  return JSON.parse(body);
}
