// Peer: the msal-node samples' web app (Microsoft's AuthProvider pattern): express-session
// with its MemoryStore, a ConfidentialClientApplication per sign-in, and the serialized MSAL
// token cache kept in `req.session` with the account and its ID-token claims. The samples post
// the code back (form_post); the emulator answers with a query redirect, so the callback is a
// GET: the same work either way.
import { randomBytes } from "node:crypto";
import * as msal from "@azure/msal-node";
import express from "express";
import session from "express-session";
import { peerPaths, signInScopes } from "./routes.ts";
import { listen, setting } from "./serve.ts";
import { sessionFromClaims } from "./session-body.ts";

declare module "express-session" {
  interface SessionData {
    /** The pending sign-in: PKCE verifier, state and nonce (the samples' `authCodeRequest`). */
    pending?: { verifier: string; state: string; nonce: string };
    tokenCache?: string;
    account?: msal.AccountInfo;
    isAuthenticated?: boolean;
  }
}

const authority = setting("ENTRA_AUTHORITY");
const redirectUri = `${setting("BASE_URL")}${peerPaths.msalSession.callback}`;
const scopes = signInScopes.filter(
  (scope) => !["openid", "profile", "offline_access"].includes(scope),
);
// Fetched once at start, as the samples do, so that each new client skips discovery.
const authorityMetadata = await (
  await fetch(`${authority}/v2.0/.well-known/openid-configuration`, {
    signal: AbortSignal.timeout(10_000),
  })
).text();
const msalConfig: msal.Configuration = {
  auth: {
    clientId: setting("CLIENT_ID"),
    clientSecret: setting("CLIENT_SECRET"),
    authority,
    knownAuthorities: [new URL(authority).host],
    authorityMetadata,
  },
};
const cryptoProvider = new msal.CryptoProvider();

const app = express();
app.get(peerPaths.healthz, (_req, res) => {
  res.json({ ok: true });
});
app.use(
  session({
    secret: setting("SESSION_SECRET"),
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, secure: false },
  }),
);

app.get(peerPaths.msalSession.login, async (req, res) => {
  const { verifier, challenge } = await cryptoProvider.generatePkceCodes();
  const pending = {
    verifier,
    state: randomBytes(16).toString("base64url"),
    nonce: randomBytes(16).toString("base64url"),
  };
  req.session.pending = pending;
  const url = await new msal.ConfidentialClientApplication(msalConfig).getAuthCodeUrl({
    scopes,
    redirectUri,
    codeChallenge: challenge,
    codeChallengeMethod: "S256",
    state: pending.state,
    nonce: pending.nonce,
    responseMode: msal.ResponseMode.QUERY,
  });
  res.redirect(url);
});

app.get(peerPaths.msalSession.callback, async (req, res) => {
  const { pending } = req.session;
  const query = req.query as Record<string, string | undefined>;
  if (!pending || !query.code || query.state !== pending.state) {
    res.status(400).json({ error: "no sign-in in progress, or its state does not match" });
    return;
  }
  const client = new msal.ConfidentialClientApplication(msalConfig);
  if (req.session.tokenCache) client.getTokenCache().deserialize(req.session.tokenCache);
  const result = await client.acquireTokenByCode(
    {
      code: query.code,
      scopes,
      redirectUri,
      codeVerifier: pending.verifier,
      state: pending.state,
      nonce: pending.nonce,
    },
    {
      code: query.code,
      state: query.state,
      ...(query.client_info ? { client_info: query.client_info } : {}),
    },
  );
  delete req.session.pending;
  req.session.tokenCache = client.getTokenCache().serialize();
  req.session.account = result.account ?? undefined;
  req.session.isAuthenticated = true;
  res.redirect("/");
});

app.get(peerPaths.session, (req, res) => {
  if (!req.session.isAuthenticated) {
    res.status(401).json({ authenticated: false });
    return;
  }
  res.json(sessionFromClaims(req.session.account?.idTokenClaims));
});

listen(app);
