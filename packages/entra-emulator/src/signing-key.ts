/** The emulator's token-signing key: RS256, published like Entra's (kid = x5t, with x5c). */
import { base64url, type CryptoKey, exportJWK, generateKeyPair, type JWK } from "jose";
import { x509 } from "./x509.ts";

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** The public JWK as Entra's `/discovery/v2.0/keys` lists it (without `issuer`). */
  jwk: JWK & { kid: string; x5t: string; x5c: string[] };
}

/** A fresh key pair per emulator start: tokens never outlive the process that signed them. */
export async function createSigningKey(): Promise<SigningKey> {
  const keys = await generateKeyPair("RS256", { extractable: true });
  // Entra publishes each key inside a self-signed certificate; clients that pin by x5t or
  // read x5c (older ADAL/MSAL code, Graph samples) expect one.
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: "CN=accounts.emulator.dev-only",
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 365 * 86_400_000),
    signingAlgorithm: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    keys,
  });
  const x5t = base64url.encode(new Uint8Array(await cert.getThumbprint("SHA-1")));
  const { n, e } = await exportJWK(keys.publicKey);
  return {
    kid: x5t,
    privateKey: keys.privateKey,
    publicKey: keys.publicKey,
    jwk: {
      kty: "RSA",
      use: "sig",
      kid: x5t,
      x5t,
      n,
      e,
      x5c: [cert.toString("base64")],
    },
  };
}
