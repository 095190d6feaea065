/** A refusal at the token endpoint: the route answers `status` with Entra's JSON for `input`. */
import type { EntraErrorInput } from "./entra-error.ts";

export class TokenError extends Error {
  constructor(
    readonly status: number,
    readonly input: EntraErrorInput,
  ) {
    super(input.message);
    this.name = "TokenError";
  }
}
