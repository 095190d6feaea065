// Peer: express-openid-connect 3.4 with its defaults (a rolling, encrypted cookie session that
// keeps the ID, access and refresh tokens), configured as its README says for an issuer. Only
// the authorization parameters differ from the defaults: the emulator, like a web app's
// registration in Entra without implicit grant, issues codes only (its default is
// `response_type=id_token` with form_post), and the scopes are the BFF's, so that the session
// holds a Graph token as the BFF's does.
import express from "express";
import { auth } from "express-openid-connect";
import { peerPaths, signInScopes } from "./routes.ts";
import { listen, setting } from "./serve.ts";
import { sessionFromClaims } from "./session-body.ts";

const app = express();
app.get(peerPaths.healthz, (_req, res) => {
  res.json({ ok: true });
});
app.use(
  auth({
    // See bench/README.md: the discovery document's URL over http while the emulator's pages
    // are http (openid-client 6 refuses an http authorization endpoint otherwise).
    issuerBaseURL: setting("ISSUER_BASE_URL"),
    baseURL: setting("BASE_URL"),
    clientID: setting("CLIENT_ID"),
    clientSecret: setting("CLIENT_SECRET"),
    secret: setting("SESSION_SECRET"),
    authorizationParams: { response_type: "code", scope: signInScopes.join(" ") },
  }),
);
app.get(peerPaths.session, (req, res) => {
  res.json(sessionFromClaims(req.oidc.user));
});

listen(app);
