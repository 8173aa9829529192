/**
 * PortOne's V1 notification (`POST /portone/webhook`, JSON or form). V1 webhooks are unsigned, so the body
 * is only a hint: the payment is re-read from PortOne and the order PortOne names is settled. 200 once
 * handled (also for an order we do not know); 502 when PortOne cannot be read, so that PortOne retries.
 */
import { Router } from '@koa/router';
import { z } from 'zod';
import { badRequest, parseBody } from '../errors.js';
import { settle, type SettleDeps } from '../settle.js';

/** Unknown fields (`cancellation_id`, future ones) are ignored. */
const notification = z.object({
  imp_uid: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(64, 'at most 64 characters'),
  merchant_uid: z.string().max(40).optional(),
  status: z.string().max(20).optional(),
});

export function createWebhookRoutes(deps: SettleDeps): Router {
  const router = new Router();
  router.post('/portone/webhook', async (ctx) => {
    if (!ctx.request.is('application/json', 'application/x-www-form-urlencoded')) throw badRequest('expected a JSON or form body');
    const body = parseBody(notification, ctx.request.body);
    const settlement = await settle(deps, body.imp_uid, undefined, 'webhook');
    deps.logger.info('webhook handled', { imp_uid: body.imp_uid, said: body.status, settled: settlement.body.status });
    if (settlement.status === 502) {
      ctx.status = 502;
      ctx.body = settlement.body;
      return;
    }
    ctx.body = { status: 'ok', settled: settlement.body.status };
  });
  return router;
}
