// Request validation: strict (no type coercion, unknown properties refused rather than
// dropped) and messages that name the field, e.g. `body/title must be 1 to 200 characters…`.
import type { FastifySchemaValidationError } from "fastify";

/** Ajv options for every route schema (Fastify's defaults coerce and silently drop). */
export const ajvOptions = {
  coerceTypes: false,
  removeAdditional: false,
  useDefaults: false,
  allErrors: false,
  // Puts `parentSchema` on errors, so a pattern failure can quote the schema's description
  // instead of the regular expression.
  verbose: true,
} as const;

interface VerboseError extends FastifySchemaValidationError {
  parentSchema?: { description?: string; properties?: Record<string, unknown> };
}

/** Fastify's `schemaErrorFormatter`: the first problem, in words. */
export function validationError(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const error = errors[0] as VerboseError | undefined;
  if (error === undefined) return new Error(`${dataVar} is not valid`);
  const path = `${dataVar}${error.instancePath}`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperties":
      return new Error(`${path} must not have the property "${String(params.additionalProperty)}"`);
    case "required":
      return new Error(`${path}/${String(params.missingProperty)} is required`);
    case "minProperties": {
      const names = Object.keys(error.parentSchema?.properties ?? {});
      return new Error(
        names.length > 0
          ? `${path} must contain at least one of: ${names.join(", ")}`
          : `${path} ${error.message}`,
      );
    }
    case "pattern":
      return new Error(
        error.parentSchema?.description
          ? `${path} must be ${error.parentSchema.description}`
          : `${path} ${error.message}`,
      );
    default:
      return new Error(`${path} ${error.message ?? "is not valid"}`);
  }
}
