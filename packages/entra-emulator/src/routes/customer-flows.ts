/**
 * The customer tenants' self-asserted steps, as their forms post them: self-service sign-up
 * (a new local account, then signed in), B2C's profile edit (the attributes change, then the
 * user flow answers with a fresh ID token) and password reset (the account is found by its
 * e-mail address, then signed in). Cancel sends the app B2C's AADB2C90091 (or, at External
 * ID, `access_denied`).
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  type CustomerPage,
  type EmulatorContext,
  findUser,
  resolveTenant,
  usersAt,
} from "../context.ts";
import { b2cErrors, signInName } from "../customer-tenants.ts";
import { customerPageFields as f } from "../pages.ts";
import type { TestUser } from "../types.ts";
import { cancelled, completeSignIn, continueAs, signInBrowser } from "./authorize.ts";
import {
  currentSession,
  expiredRequest,
  redirectWithError,
  showError,
  takeLive,
} from "./browser.ts";
import {
  customerPageSteps,
  showPasswordReset,
  showProfileEdit,
  showSignUp,
} from "./customer-pages.ts";
import type { TenantParams } from "./tenant.ts";

type FormRequest = FastifyRequest<{
  Params: TenantParams & { policy?: string };
  Body: Partial<Record<string, string>>;
}>;

// A practical address check (the real services verify the address with a code).
const emailAddress = /^[^\s@<>()[\]",;:\\]+@[^\s@<>()[\]",;:\\]+\.[^\s@<>()[\]",;:\\.]{2,}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point.
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/;

/** A trimmed attribute of at most `max` characters, or the reason it is refused. */
function attribute(
  value: string | undefined,
  label: string,
  max: number,
): { value: string } | { error: string } {
  const trimmed = (value ?? "").trim();
  if (trimmed === "") return { error: `${label} is required.` };
  if (trimmed.length > max) return { error: `${label} must be at most ${max} characters.` };
  if (controlCharacters.test(trimmed)) return { error: `${label} contains invalid characters.` };
  return { value: trimmed };
}

function names(body: Partial<Record<string, string>>) {
  const displayName = attribute(body[f.displayName], "Display name", 256);
  const givenName = attribute(body[f.givenName], "Given name", 64);
  const surname = attribute(body[f.surname], "Surname", 64);
  for (const field of [displayName, givenName, surname]) {
    if ("error" in field) return { error: field.error };
  }
  return {
    displayName: (displayName as { value: string }).value,
    givenName: (givenName as { value: string }).value,
    surname: (surname as { value: string }).value,
  };
}

export function customerFlowRoutes(app: FastifyInstance, ctx: EmulatorContext) {
  if (ctx.tenantKind === "workforce") return;
  const handlers: Record<
    CustomerPage["kind"],
    (request: FormRequest, reply: FastifyReply) => unknown
  > = {
    "sign-up": (request, reply) => signUp(ctx, request, reply),
    "profile-edit": (request, reply) => editProfile(ctx, request, reply),
    "password-reset": (request, reply) => resetPassword(ctx, request, reply),
  };
  for (const [kind, step] of Object.entries(customerPageSteps) as [
    CustomerPage["kind"],
    string,
  ][]) {
    app.post(`/:tenant/oauth2/v2.0/${step}`, handlers[kind]);
    if (ctx.b2c) app.post(`/:tenant/:policy/oauth2/v2.0/${step}`, handlers[kind]);
  }
}

/** The page this form belongs to (single use), or an error page. */
function takePage(
  ctx: EmulatorContext,
  request: FormRequest,
  reply: FastifyReply,
  kind: CustomerPage["kind"],
): CustomerPage | undefined {
  const page = takeLive(ctx, ctx.customerPages, request.body?.[f.request]);
  if (page?.kind === kind) return page;
  void showError(reply, 400, expiredRequest("page"));
  return undefined;
}

function decisionOf(
  request: FormRequest,
  reply: FastifyReply,
  allowed: string,
): "go" | "cancel" | undefined {
  const decision = request.body?.[f.decision];
  if (decision === allowed) return "go";
  if (decision === f.cancel) return "cancel";
  void showError(reply, 400, {
    error: "invalid_request",
    code: 900144,
    message: `The form must send ${f.decision}=${allowed} or ${f.decision}=${f.cancel}. Start the sign-in again.`,
  });
  return undefined;
}

/** A new local account in the URL's tenant, signed in at once. */
async function signUp(ctx: EmulatorContext, request: FormRequest, reply: FastifyReply) {
  const page = takePage(ctx, request, reply, "sign-up");
  if (!page) return reply;
  const { authorization } = page;
  const decision = decisionOf(request, reply, f.create);
  if (!decision) return reply;
  if (decision === "cancel") return cancelled(ctx, reply, authorization);

  const body = request.body ?? {};
  const values = {
    email: (body[f.email] ?? "").trim(),
    displayName: body[f.displayName] ?? "",
    givenName: body[f.givenName] ?? "",
    surname: body[f.surname] ?? "",
  };
  const retry = (error: string) =>
    showSignUp(ctx, reply, request.params.tenant, authorization, { values, error });
  if (values.email.length > 254 || !emailAddress.test(values.email)) {
    return retry("Please enter a valid email address.");
  }
  const attributes = names(body);
  if ("error" in attributes) return retry(attributes.error!);
  const segment = resolveTenant(ctx, authorization.tenant);
  const tenant = segment?.kind === "tenant" ? segment.tenant : ctx.tenants[0]!;
  const taken = (user: TestUser) =>
    signInName(ctx.tenantKind, user).toLowerCase() === values.email.toLowerCase();
  if (tenant.users.some(taken) || findUser(ctx, values.email)) {
    return retry("A user with the specified ID already exists. Please choose a different one.");
  }
  const oid = randomUUID();
  const user: TestUser = {
    oid,
    displayName: attributes.displayName!,
    givenName: attributes.givenName!,
    surname: attributes.surname!,
    // As at Entra, a local customer account's UPN is an id in the tenant's domain.
    userPrincipalName: `${oid}@${tenant.domain ?? tenant.tenantId}`,
    mail: values.email,
    jobTitle: null,
    officeLocation: null,
    businessPhones: [],
    mobilePhone: null,
    preferredLanguage: null,
    hasPhoto: false,
  };
  tenant.users.push(user);
  return continueAs(ctx, request, reply, request.params.tenant, authorization, user, {
    fresh: true,
  });
}

/** B2C profile edit: the signed-in user's new attributes, in the user flow's ID token. */
async function editProfile(ctx: EmulatorContext, request: FormRequest, reply: FastifyReply) {
  const page = takePage(ctx, request, reply, "profile-edit");
  if (!page) return reply;
  const { authorization } = page;
  // The form belongs to the browser that signed in, and only while that session lasts.
  const session = currentSession(ctx, request);
  const user = session && findUser(ctx, session.userOid);
  if (!session || !user || session.sid !== page.sid || session.userOid !== page.userOid) {
    return showError(reply, 400, {
      error: "invalid_request",
      code: 90015,
      message:
        "The profile edit does not belong to this browser's sign-in session. Start it again.",
    });
  }
  const decision = decisionOf(request, reply, f.continue);
  if (!decision) return reply;
  if (decision === "cancel") {
    return redirectWithError(
      ctx,
      reply,
      authorization.redirectUri,
      b2cErrors.cancelled(),
      authorization.state,
      {},
      authorization.responseMode,
    );
  }
  const body = request.body ?? {};
  const attributes = names(body);
  if ("error" in attributes) {
    return showProfileEdit(ctx, reply, request.params.tenant, authorization, user, session, {
      values: {
        displayName: body[f.displayName] ?? "",
        givenName: body[f.givenName] ?? "",
        surname: body[f.surname] ?? "",
      },
      error: attributes.error!,
    });
  }
  user.displayName = attributes.displayName!;
  user.givenName = attributes.givenName!;
  user.surname = attributes.surname!;
  return completeSignIn(ctx, reply, authorization, session);
}

/** B2C password reset: the account its e-mail address names, then signed in. */
async function resetPassword(ctx: EmulatorContext, request: FormRequest, reply: FastifyReply) {
  const page = takePage(ctx, request, reply, "password-reset");
  if (!page) return reply;
  const { authorization } = page;
  const decision = decisionOf(request, reply, f.continue);
  if (!decision) return reply;
  if (decision === "cancel") return cancelled(ctx, reply, authorization);
  const body = request.body ?? {};
  const email = (body[f.email] ?? "").trim();
  const retry = (error: string) =>
    showPasswordReset(ctx, reply, request.params.tenant, authorization, { email, error });
  const segment = resolveTenant(ctx, authorization.tenant);
  const user = segment
    ? usersAt(ctx, segment).find(
        (u) => signInName(ctx.tenantKind, u).toLowerCase() === email.toLowerCase(),
      )
    : undefined;
  if (!user) return retry("We can't seem to find your account.");
  const password = body[f.newPassword] ?? "";
  if (password.length < 8 || password.length > 64) {
    return retry("The password must be between 8 and 64 characters.");
  }
  const session = signInBrowser(ctx, request, reply, user, { fresh: true });
  return completeSignIn(ctx, reply, authorization, session);
}
