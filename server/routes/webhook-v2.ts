/**
 * PortOne V2's notification (`POST /portone/webhook/v2`, SPEC §8.2). Signed (Standard Webhooks), so the signature is
 * checked first, over the body exactly as it came (the app's body parser is kept off this path: neither its failure
 * nor an unexpected Content-Type can come before the check), against each configured secret: `401` without a valid
 * one, and nothing read or done. Then only `data.paymentId` and `data.storeId` are taken from the body: the payment
 * is re-read from PortOne and settled by the same table as every other door. `200` once handled (also for a type we
 * do not act on, an order we do not know, another store); `502` when PortOne cannot be read, so that PortOne retries.
 */
import { Router } from '@koa/router';
import type { Context } from 'koa';
import { writeError } from '../errors.js';
import type { FulfilmentDeliverer } from '../fulfilment.js';
import { settleV2, type SettleDeps } from '../settle.js';
import { isStorableText } from '../text.js';
import { verifyWebhook } from '../webhook-signature.js';
import { answerSettledWebhook } from './webhook-answer.js';

export const WEBHOOK_V2_PATH = '/portone/webhook/v2';

/** PortOne's bodies are a few hundred bytes; this bounds what an unsigned stranger can make us hash. */
const RAW_LIMIT = 64 * 1024;

export interface WebhookV2Deps extends SettleDeps {
  fulfilment: FulfilmentDeliverer;
  /** Decoded webhook secrets (at most two, during a rotation); none: every notification is refused. */
  webhookKeys: readonly Buffer[];
}

/** The body as bytes, up to RAW_LIMIT; null when over it. */
async function rawBody(ctx: Context): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > RAW_LIMIT) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** `data.paymentId` and `data.storeId` of a `Transaction.*` notification; null for anything else. */
function transactionOf(body: unknown): { type: string; paymentId: string; storeId: string | null } | null {
  if (typeof body !== 'object' || body === null) return null;
  const { type, data } = body as { type?: unknown; data?: unknown };
  if (typeof type !== 'string' || !type.startsWith('Transaction.') || typeof data !== 'object' || data === null) return null;
  const { paymentId, storeId } = data as { paymentId?: unknown; storeId?: unknown };
  if (typeof paymentId !== 'string' || paymentId === '' || paymentId.length > 200 || !isStorableText(paymentId)) return null;
  return { type, paymentId, storeId: typeof storeId === 'string' ? storeId : null };
}

export function createWebhookV2Routes(deps: WebhookV2Deps): Router {
  const router = new Router();
  router.post(WEBHOOK_V2_PATH, async (ctx) => {
    const raw = await rawBody(ctx);
    if (raw === null) {
      writeError(ctx, 400, `body: over the ${RAW_LIMIT / 1024}kb limit`);
      return;
    }
    const verdict = verifyWebhook(deps.webhookKeys, (name) => ctx.get(name) || undefined, raw);
    if (!verdict.ok) {
      deps.logger.warn('webhook v2 refused', { reason: verdict.reason });
      writeError(ctx, 401, `webhook signature: ${verdict.reason}`);
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      body = undefined;
    }
    const transaction = transactionOf(body);
    // Signed by PortOne but not a payment's notification (a billing key's, a type added later): nothing to do.
    if (!transaction) {
      ctx.body = { status: 'ok', settled: 'ignored' };
      return;
    }
    if (!deps.v2 || (transaction.storeId !== null && transaction.storeId !== deps.v2.storeId)) {
      ctx.body = { status: 'ok', settled: 'other_store' };
      return;
    }
    // An id no V2 order has: nothing to settle, and no PortOne call spent on it.
    const order = await deps.store.get(transaction.paymentId);
    if (!order || order.version !== 'v2') {
      ctx.body = { status: 'ok', settled: 'unknown_order' };
      return;
    }
    const outcome = await settleV2(deps, transaction.paymentId, 'webhook');
    answerSettledWebhook(ctx, deps, outcome, { message: 'webhook v2 handled', fields: { paymentId: transaction.paymentId, said: transaction.type } });
  });
  return router;
}
