/**
 * Standard Webhooks (https://www.standardwebhooks.com), both ways, in one place: the server signs its own POSTs to
 * FULFILMENT_URL, and verifies PortOne V2's notifications. `webhook-signature` is a space-separated list of
 * `v1,<base64 HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{raw body}")>`; the key is the base64 of the secret
 * after an optional `whsec_`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The decoded key of a Standard Webhooks secret (`whsec_` optional), or an Error saying what is wrong with it. */
export function webhookKey(secret: string, minimumBytes = 24): Buffer {
  const base64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) throw new Error('must be whsec_ followed by base64 (e.g. whsec_' + randomBytes(24).toString('base64') + ')');
  const key = Buffer.from(base64, 'base64');
  if (key.length < minimumBytes) throw new Error(`must hold at least ${minimumBytes} random bytes (it holds ${key.length})`);
  return key;
}

function signature(key: Buffer, id: string, timestamp: string, body: string | Buffer): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
}

/** Standard Webhooks headers for `body`. */
export function signWebhook(key: Buffer, id: string, timestamp: number, body: string): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature(key, id, String(timestamp), body).toString('base64')}` };
}

/** Why a notification was refused (the reasons of PortOne's server SDK). */
export type WebhookRefusal = 'MISSING_REQUIRED_HEADERS' | 'INVALID_SIGNATURE' | 'TIMESTAMP_TOO_OLD' | 'TIMESTAMP_TOO_NEW' | 'NO_MATCHING_SIGNATURE';

/** Standard Webhooks' tolerance between the sender's clock and ours. */
export const WEBHOOK_TOLERANCE_S = 300;

/**
 * Whether `rawBody` was signed with one of `keys` (at most two: a rotation) within ±300 s of `now`. `header(name)`
 * reads a request header (case-insensitively, as HTTP does). Every candidate signature is compared in constant
 * time; nothing about the body is read before this says yes.
 */
export function verifyWebhook(
  keys: readonly Buffer[],
  header: (name: string) => string | undefined,
  rawBody: string | Buffer,
  now: number = Date.now(),
): { ok: true } | { ok: false; reason: WebhookRefusal } {
  const id = header('webhook-id');
  const timestamp = header('webhook-timestamp');
  const signatures = header('webhook-signature');
  if (!id || !timestamp || !signatures) return { ok: false, reason: 'MISSING_REQUIRED_HEADERS' };
  if (!/^\d{1,15}$/.test(timestamp)) return { ok: false, reason: 'INVALID_SIGNATURE' };
  const age = Math.floor(now / 1000) - Number(timestamp);
  if (age > WEBHOOK_TOLERANCE_S) return { ok: false, reason: 'TIMESTAMP_TOO_OLD' };
  if (age < -WEBHOOK_TOLERANCE_S) return { ok: false, reason: 'TIMESTAMP_TOO_NEW' };
  const offered = signatures
    .split(' ')
    .map((s) => s.split(','))
    .filter(([version, value]) => version === 'v1' && value !== undefined)
    .map(([, value]) => Buffer.from(value!, 'base64'));
  let matched = false;
  for (const key of keys) {
    const expected = signature(key, id, timestamp, rawBody);
    // Every pair is compared (no early exit), each in constant time.
    for (const candidate of offered) if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
  }
  return matched ? { ok: true } : { ok: false, reason: 'NO_MATCHING_SIGNATURE' };
}
