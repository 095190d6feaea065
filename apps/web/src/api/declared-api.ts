/**
 * A typed client for the BFF's declared downstream APIs: `api.graph.get("/users", { query })`
 * calls `/api/graph/users?…` with the session's token attached on the server. Paths, query,
 * body and answer types come from the contract's `declaredApis`; nothing here knows an API.
 */
import {
  type DeclaredApiName,
  type DeclaredApis,
  declaredApis,
  type EndpointShapeOf,
  type HttpMethod,
  paths,
  type ResponseRead,
} from "@entra-bff/contract";
import { request } from "./client.ts";

type Endpoints<Name extends DeclaredApiName> = DeclaredApis[Name];

/** The paths of `Name` callable with `Method`, e.g. `"/users" | "/users/{id}"`. */
export type PathOf<Name extends DeclaredApiName, Method extends HttpMethod> = {
  [Key in keyof Endpoints<Name>]: Key extends `${Method} ${infer Path}` ? Path : never;
}[keyof Endpoints<Name>];

type EndpointAt<
  Name extends DeclaredApiName,
  Method extends HttpMethod,
  Path extends string,
> = Endpoints<Name>[`${Method} ${Path}` & keyof Endpoints<Name>];

/** `"id"` for `"/users/{id}/photo/$value"`. */
type ParamNames<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}`
  ? Name | ParamNames<Rest>
  : never;

type ParamsOption<Path extends string> = [ParamNames<Path>] extends [never]
  ? { params?: never }
  : { params: Record<ParamNames<Path>, string> };

type QueryOption<Shape> = Shape extends { query: infer Query }
  ? { query?: Query }
  : { query?: never };
type HeadersOption<Shape> = Shape extends { headers: infer Headers }
  ? { headers?: Headers }
  : { headers?: never };
type BodyOption<Shape> = Shape extends { body: infer Body } ? { body: Body } : { body?: never };
/** The resource's ETag as read (`task.etag`), sent verbatim as `If-Match`. */
type IfMatchOption<Shape> = Shape extends { ifMatch: "required" }
  ? { ifMatch: string }
  : Shape extends { ifMatch: "optional" }
    ? { ifMatch?: string }
    : { ifMatch?: never };

export type CallOptions<Shape, Path extends string> = ParamsOption<Path> &
  QueryOption<Shape> &
  HeadersOption<Shape> &
  BodyOption<Shape> &
  IfMatchOption<Shape> & {
    /** TanStack Query's signal: a stale request is cancelled. */
    signal?: AbortSignal | undefined;
  };

type ResultOf<E> = E extends { read: "binary" }
  ? Blob
  : E extends { read: "none" }
    ? undefined
    : EndpointShapeOf<E> extends { response: infer Response }
      ? Response
      : unknown;

/** Options may be left out when nothing in them is required. */
type CallArgs<Options> =
  Record<never, never> extends Options ? [options?: Options] : [options: Options];

type Call<Name extends DeclaredApiName, Method extends HttpMethod> = <
  Path extends PathOf<Name, Method>,
>(
  path: Path,
  ...args: CallArgs<CallOptions<EndpointShapeOf<EndpointAt<Name, Method, Path>>, Path>>
) => Promise<ResultOf<EndpointAt<Name, Method, Path>>>;

export interface DeclaredApiClient<Name extends DeclaredApiName> {
  get: Call<Name, "GET">;
  post: Call<Name, "POST">;
  put: Call<Name, "PUT">;
  patch: Call<Name, "PATCH">;
  delete: Call<Name, "DELETE">;
}

/** What a call may pass at run time, whatever its endpoint's types say. */
interface AnyCallOptions {
  params?: Record<string, string>;
  query?: object;
  headers?: object;
  body?: unknown;
  ifMatch?: string;
  signal?: AbortSignal | undefined;
}

/**
 * `/api/<name><path>` with `{param}`s filled in and the query appended. Throws a TypeError
 * for a missing parameter or one that is empty, `.` or `..`: encoded or not, those would
 * change which upstream path is called (the BFF refuses them too, but the bug is here).
 */
export function declaredApiUrl(
  name: string,
  path: string,
  params: Record<string, string> = {},
  query: object = {},
): string {
  const filled = path.replace(/\{([^}]+)\}/g, (_match, param: string) => {
    const value = params[param];
    if (typeof value !== "string" || value === "" || value === "." || value === "..") {
      throw new TypeError(
        `Path parameter {${param}} of ${path} must be a non-empty string other than "." and "..", got ${JSON.stringify(value)}.`,
      );
    }
    return encodeURIComponent(value);
  });
  return `${paths.apiPrefix}/${name}${filled}${queryString(query)}`;
}

/**
 * `?name=value&…` without the values `undefined`. Names keep a literal `$` (`$search`, not
 * `%24search`), as Graph's own links spell OData's system query options.
 */
export function queryString(query: object): string {
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
      throw new TypeError(`Query parameter ${name} must be a string, number or boolean.`);
    }
    pairs.push(`${encodeURIComponent(name).replaceAll("%24", "$")}=${encodeURIComponent(value)}`);
  }
  return pairs.length > 0 ? `?${pairs.join("&")}` : "";
}

function readOf(name: DeclaredApiName, key: string): ResponseRead {
  const endpoint = (declaredApis[name] as Record<string, { read: ResponseRead } | undefined>)[key];
  // Only reachable past the type checker (a cast, plain JavaScript).
  if (!endpoint)
    throw new TypeError(`${key} is not declared for the "${name}" API in the contract.`);
  return endpoint.read;
}

/** One declared API's client; `api` below holds one per API the contract declares. */
export function declaredApi<Name extends DeclaredApiName>(name: Name): DeclaredApiClient<Name> {
  const call =
    (method: HttpMethod) =>
    (path: string, options: AnyCallOptions = {}): Promise<unknown> => {
      const read = readOf(name, `${method} ${path}`);
      const headers: Record<string, string> = { ...(options.headers as Record<string, string>) };
      if (options.ifMatch !== undefined) headers["if-match"] = options.ifMatch;
      return request(declaredApiUrl(name, path, options.params, options.query), {
        method,
        read,
        headers,
        body: options.body,
        signal: options.signal,
      });
    };
  return {
    get: call("GET"),
    post: call("POST"),
    put: call("PUT"),
    patch: call("PATCH"),
    delete: call("DELETE"),
  } as DeclaredApiClient<Name>;
}

/** The declared APIs, by their names in `config/downstream-apis.json`. */
export const api = {
  graph: declaredApi("graph"),
  tasks: declaredApi("tasks"),
  tasksAdmin: declaredApi("tasks-admin"),
};
