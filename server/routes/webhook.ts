/**
 * PortOne's V1 notification (`POST /portone/webhook`, JSON or form). V1 webhooks are unsigned, so the body
 * is only a hint: the payment is re-read from PortOne and the order PortOne names is settled. 200 once
 * handled (also for an order we do not know); 502 when PortOne cannot be read, so that PortOne retries.
 */
import { Router } from '@koa/router';
import { z } from 'zod';
import { badRequest, parseBody } from '../errors.js';
import type { FulfilmentDeliverer } from '../fulfilment.js';
import { settle, type SettleDeps } from '../settle.js';
import { text } from './fields.js';
import { answerSettledWebhook } from './webhook-answer.js';

/** Unknown fields (`cancellation_id`, future ones) are ignored. */
const notification = z.object({
  imp_uid: text(64).min(1, 'must not be empty'),
  merchant_uid: text(40).optional(),
  status: text(20).optional(),
});

export function createWebhookRoutes(deps: SettleDeps & { fulfilment: FulfilmentDeliverer }): Router {
  const router = new Router();
  router.post('/portone/webhook', async (ctx) => {
    if (!ctx.request.is('application/json', 'application/x-www-form-urlencoded')) throw badRequest('expected a JSON or form body');
    const body = parseBody(notification, ctx.request.body);
    const outcome = await settle(deps, body.imp_uid, undefined, 'webhook');
    answerSettledWebhook(ctx, deps, outcome, { message: 'webhook handled', fields: { imp_uid: body.imp_uid, said: body.status } });
  });
  return router;
}
