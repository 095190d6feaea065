// The peers' paths, in one place: their servers listen on them, the benchmark signs in and
// loads through them.

export const peerPaths = {
  /** Readiness: answers 200 before any sign-in (outside express-openid-connect's auth). */
  healthz: "/healthz",
  /** The equivalent of the BFF's GET /auth/session on every peer: the user's claims. */
  session: "/auth/session",
  /** express-openid-connect's default routes. */
  openidConnect: { login: "/login", callback: "/callback" },
  /** The msal-node samples' routes (AuthProvider: /auth/signin, /auth/redirect). */
  msalSession: { login: "/auth/signin", callback: "/auth/redirect" },
  /** The bare proxy forwards `/api/graph/<path>` to Graph's `/v1.0/<path>`. */
  bareProxyGraph: "/api/graph",
} as const;

/** The delegated scopes every server under test asks for: what the BFF asks for by default. */
export const signInScopes = ["openid", "profile", "offline_access", "User.Read"];
