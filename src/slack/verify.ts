/** Largest slash-command body read, in bytes. Slack's payloads are well under 2 KB. */
export const MAX_BODY_BYTES = 8 * 1024;

export { type BodyResult, readBodyWithin } from "../http/body.ts";

/** Slack's replay window: the timestamp may differ from now by at most this, either way (s). */
export const MAX_CLOCK_SKEW_SECONDS = 300;

export type VerifyResult = { ok: true } | { ok: false; reason: string };

const SIGNATURE = /^v0=([0-9a-f]{64})$/i;
const TIMESTAMP = /^\d{1,12}$/;
const encoder = new TextEncoder();

function hexBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++)
    bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** Imports a signing secret (a UTF-8 string, as Slack shows it) as an HMAC-SHA256 verify key. */
export function importSigningKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
}

/**
 * Verifies a Slack request signature: `X-Slack-Signature: v0=<hex HMAC-SHA256>` over
 * `v0:{X-Slack-Request-Timestamp}:{raw body}` with the app's signing secret, compared in
 * constant time by `crypto.subtle.verify`, and a timestamp within ±300 s of `nowSeconds`
 * (docs.slack.dev/authentication/verifying-requests-from-slack).
 */
export async function verifySlackSignature(
  key: CryptoKey,
  headers: { timestamp: string | null; signature: string | null },
  rawBody: Uint8Array,
  nowSeconds: number,
): Promise<VerifyResult> {
  const { timestamp, signature } = headers;
  if (timestamp === null) return { ok: false, reason: "missing X-Slack-Request-Timestamp" };
  if (signature === null) return { ok: false, reason: "missing X-Slack-Signature" };
  if (!TIMESTAMP.test(timestamp)) {
    return { ok: false, reason: "X-Slack-Request-Timestamp is not a Unix time in seconds" };
  }
  const skew = nowSeconds - Number(timestamp);
  if (skew > MAX_CLOCK_SKEW_SECONDS) return { ok: false, reason: `timestamp is ${skew} s old` };
  if (skew < -MAX_CLOCK_SKEW_SECONDS) {
    return { ok: false, reason: `timestamp is ${-skew} s in the future` };
  }
  if (!signature.startsWith("v0=")) {
    return { ok: false, reason: "unsupported signature version (expected v0=)" };
  }
  const hex = SIGNATURE.exec(signature)?.[1];
  if (hex === undefined)
    return { ok: false, reason: "X-Slack-Signature is not v0= and 64 hex digits" };
  const prefix = encoder.encode(`v0:${timestamp}:`);
  const signed = new Uint8Array(prefix.byteLength + rawBody.byteLength);
  signed.set(prefix, 0);
  signed.set(rawBody, prefix.byteLength);
  const valid = await crypto.subtle.verify("HMAC", key, hexBytes(hex), signed);
  return valid ? { ok: true } : { ok: false, reason: "signature does not match" };
}

/** Signatures one isolate remembers, so an identical replay inside the window is refused. */
export const MAX_REMEMBERED_SIGNATURES = 10_000;

/**
 * A per-isolate memory of recently accepted Slack signatures. A signature is unique to its
 * timestamp and body, so seeing one again within the ±300 s window means the same request was
 * replayed. Bounded: entries expire with the window, and the oldest go first past the bound.
 */
export class ReplayMemory {
  readonly #seen = new Map<string, number>();

  /**
   * Records a signature accepted at `nowSeconds`; false when it was already seen inside the window.
   */
  accept(signature: string, nowSeconds: number): boolean {
    for (const [seen, expires] of this.#seen) {
      if (expires > nowSeconds && this.#seen.size <= MAX_REMEMBERED_SIGNATURES) break;
      this.#seen.delete(seen);
    }
    const expires = this.#seen.get(signature);
    if (expires !== undefined && expires > nowSeconds) return false;
    this.#seen.set(signature, nowSeconds + 2 * MAX_CLOCK_SKEW_SECONDS);
    return true;
  }
}
