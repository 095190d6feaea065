// Prometheus-style counters and a latency histogram, in the text exposition format (0.0.4).
// Hand-written because five series do not justify a dependency; exposed only by
// metrics-server.ts, on its own port, when METRICS_PORT is set.
import type { SignInErrorCode } from "@entra-bff/contract";

export type RenewalOutcome = "success" | "failure";
/** `logout`: POST /auth/logout; `frontchannel`: Entra's front-channel logout. */
export type SignOutVia = "logout" | "frontchannel";
export type InteractionCode = "claims_challenge" | "consent_required";

export interface Metrics {
  signIn(): void;
  signInFailed(reason: SignInErrorCode): void;
  tokenRenewal(outcome: RenewalOutcome): void;
  signOut(via: SignOutVia): void;
  /** /api/* answered 401 with a `loginUrl`: the user must go through sign-in again. */
  interactionRequired(code: InteractionCode): void;
  /** `status`: Graph's HTTP status, or `timeout` / `network_error` when it did not answer. */
  graphRequest(status: string, seconds: number): void;
  /** Where the client credential series come from (credential fallbacks and expiry). */
  observeCredentials(source: CredentialMetricsSource): void;
  /** The exposition text for `GET /metrics`. */
  render(): string;
}

/** Read at each render, so expiry follows a rotated certificate file. */
export interface CredentialMetricsSource {
  fallbacks(): { kind: string; code: string; count: number }[];
  status(): {
    kind: string;
    index: number;
    thumbprint?: string | undefined;
    expiresAt?: Date | undefined;
  }[];
}

/** Upper bounds (seconds) of the Graph latency buckets: Graph usually answers in 50-500 ms. */
export const graphLatencyBuckets = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

export function createMetrics(): Metrics {
  let signIns = 0;
  const signInFailures = new Map<string, number>();
  const renewals = new Map<RenewalOutcome, number>([
    ["success", 0],
    ["failure", 0],
  ]);
  const signOuts = new Map<SignOutVia, number>([
    ["logout", 0],
    ["frontchannel", 0],
  ]);
  const interactions = new Map<InteractionCode, number>([
    ["claims_challenge", 0],
    ["consent_required", 0],
  ]);
  const graph = new Map<string, Histogram>();
  const bump = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);
  let credentials: CredentialMetricsSource | undefined;

  return {
    signIn() {
      signIns += 1;
    },
    signInFailed(reason) {
      bump(signInFailures, reason);
    },
    tokenRenewal(outcome) {
      bump(renewals, outcome);
    },
    signOut(via) {
      bump(signOuts, via);
    },
    interactionRequired(code) {
      bump(interactions, code);
    },
    graphRequest(status, seconds) {
      let histogram = graph.get(status);
      if (!histogram) {
        histogram = { counts: graphLatencyBuckets.map(() => 0), sum: 0, count: 0 };
        graph.set(status, histogram);
      }
      graphLatencyBuckets.forEach((bound, i) => {
        if (seconds <= bound) histogram.counts[i]! += 1;
      });
      histogram.sum += seconds;
      histogram.count += 1;
    },
    observeCredentials(source) {
      credentials = source;
    },
    render() {
      const lines: string[] = [];
      const family = (name: string, type: string, help: string) =>
        lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);

      family("entra_bff_sign_ins_total", "counter", "Completed sign-ins.");
      lines.push(`entra_bff_sign_ins_total ${signIns}`);

      family(
        "entra_bff_sign_in_failures_total",
        "counter",
        "Failed sign-ins by reason (the authError code shown to the user).",
      );
      for (const [reason, value] of signInFailures) {
        lines.push(`entra_bff_sign_in_failures_total{reason="${escapeLabel(reason)}"} ${value}`);
      }

      family(
        "entra_bff_token_renewals_total",
        "counter",
        "Access token renewals with the refresh token, by outcome.",
      );
      for (const [outcome, value] of renewals) {
        lines.push(`entra_bff_token_renewals_total{outcome="${outcome}"} ${value}`);
      }

      family(
        "entra_bff_sign_outs_total",
        "counter",
        "Sessions ended by the user: here (logout) or at Entra (frontchannel, every session of that Entra session).",
      );
      for (const [via, value] of signOuts) {
        lines.push(`entra_bff_sign_outs_total{via="${via}"} ${value}`);
      }

      family(
        "entra_bff_interaction_required_total",
        "counter",
        "API calls answered 401 with a loginUrl: a Conditional Access claims challenge or missing consent.",
      );
      for (const [code, value] of interactions) {
        lines.push(`entra_bff_interaction_required_total{code="${code}"} ${value}`);
      }

      const latency = "entra_bff_graph_request_duration_seconds";
      family(latency, "histogram", "Microsoft Graph request duration, by HTTP status.");
      for (const [status, histogram] of graph) {
        const label = `status="${escapeLabel(status)}"`;
        graphLatencyBuckets.forEach((bound, i) => {
          lines.push(`${latency}_bucket{${label},le="${bound}"} ${histogram.counts[i]}`);
        });
        lines.push(`${latency}_bucket{${label},le="+Inf"} ${histogram.count}`);
        lines.push(`${latency}_sum{${label}} ${histogram.sum}`);
        lines.push(`${latency}_count{${label}} ${histogram.count}`);
      }

      if (credentials) {
        family(
          "entra_bff_credential_fallbacks_total",
          "counter",
          "Token requests that moved to the next client credential because Entra ID refused one, by the refused one's kind and AADSTS code.",
        );
        for (const { kind, code, count } of credentials.fallbacks()) {
          lines.push(
            `entra_bff_credential_fallbacks_total{kind="${escapeLabel(kind)}",code="${escapeLabel(code)}"} ${count}`,
          );
        }
        const expiry = "entra_bff_credential_expiry_timestamp_seconds";
        family(
          expiry,
          "gauge",
          "When each client credential expires (Unix time): a certificate's notAfter, a secret's ENTRA_CLIENT_SECRET_EXPIRES.",
        );
        for (const credential of credentials.status()) {
          if (!credential.expiresAt) continue;
          const thumbprint = credential.thumbprint
            ? `,thumbprint="${escapeLabel(credential.thumbprint)}"`
            : "";
          lines.push(
            `${expiry}{kind="${escapeLabel(credential.kind)}",index="${credential.index}"${thumbprint}} ${Math.floor(credential.expiresAt.getTime() / 1000)}`,
          );
        }
      }

      family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
      lines.push(`process_resident_memory_bytes ${process.memoryUsage.rss()}`);

      return `${lines.join("\n")}\n`;
    },
  };
}

/** Label values are ours, but a stray quote or newline must not break the format. */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
