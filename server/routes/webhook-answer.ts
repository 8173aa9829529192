/**
 * How both webhook routes (V1's, V2's) answer PortOne once the payment is settled. `502` when PortOne could not be
 * read, so that PortOne retries; else `200` with what was settled, and a paid order's fulfilment started in the
 * background: PortOne waits for this answer, not for the merchant's shop.
 */
import type { Context } from 'koa';
import { writeError } from '../errors.js';
import type { FulfilmentDeliverer } from '../fulfilment.js';
import type { Logger } from '../log.js';
import { outcomeLabel, type SettleOutcome } from '../settle.js';

export interface WebhookAnswerDeps {
  logger: Logger;
  fulfilment: FulfilmentDeliverer;
}

/** `handled`: the log line's message and what the notification said (its ids, its status or type). */
export function answerSettledWebhook(ctx: Context, deps: WebhookAnswerDeps, outcome: SettleOutcome, handled: { message: string; fields: Record<string, unknown> }): void {
  const settled = outcomeLabel(outcome);
  deps.logger.info(handled.message, { ...handled.fields, settled });
  if (outcome.kind === 'unavailable') {
    writeError(ctx, 502, outcome.message, true);
    return;
  }
  if (outcome.kind === 'paid' && outcome.order.fulfilment.state === 'pending') void deps.fulfilment.deliver(outcome.order.merchant_uid, outcome.payment);
  ctx.body = { status: 'ok', settled };
}
