// The part of autocannon 8's API the load worker uses (the package ships no types); see
// node_modules/autocannon/README.md.
declare module "autocannon" {
  import type { EventEmitter } from "node:events";

  /** Kept per connection across its requests (reset when its request list starts over). */
  export type Context = Record<string, unknown>;

  export interface Request {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    /** Builds the request when it is sent; a falsy answer skips to the first request. */
    setupRequest?: (request: Request, context: Context) => Request | undefined;
    /** Called with each answer to this request. */
    onResponse?: (
      status: number,
      body: string,
      context: Context,
      headers?: Record<string, string>,
    ) => void;
  }

  export interface Client {
    setRequests(requests: Request[]): void;
  }

  export interface Options {
    url: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    /** Requests to make, overriding `duration`. */
    amount?: number;
    /** Milliseconds between samples; the run ends at the first sample after `duration`. */
    sampleInt?: number;
    /** Seconds before a request counts as timed out. */
    timeout?: number;
    requests?: Request[];
    setupClient?: (client: Client) => void;
  }

  export interface Result {
    /** Seconds. */
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    statusCodeStats: Record<string, { count: number }>;
  }

  export interface Instance extends EventEmitter {
    stop(): void;
    once(event: "done", listener: (result: Result) => void): this;
    on(
      event: "response",
      listener: (client: Client, statusCode: number, bytes: number, ms: number) => void,
    ): this;
  }

  export default function autocannon(
    options: Options,
    callback: (error: Error | null, result: Result) => void,
  ): Instance;
}
