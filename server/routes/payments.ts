/**
 * The merchant's payment routes (SPEC §4): prepare an order, complete (verify) a payment, read an order.
 */
import { randomBytes } from 'node:crypto';
import { Router } from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { badRequest, parseBody, RouteError } from '../errors.js';
import { isValidAmount, sameAmount } from '../money.js';
import { PortOneUnavailable } from '../portone/client.js';
import { settle, type SettleDeps, unavailable } from '../settle.js';
import type { Order } from '../store/types.js';

const merchantUid = z.string().min(1, 'must not be empty').max(40, 'at most 40 characters');

const prepareBody = z
  .strictObject({
    amount: z.number({ error: 'must be a number' }).refine(isValidAmount, 'must be a positive number with at most 6 decimals'),
    name: z.string().max(256, 'at most 256 characters').optional(),
    merchant_uid: merchantUid.optional(),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code such as KRW').default('KRW'),
  })
  .refine((b) => b.currency !== 'KRW' || Number.isInteger(b.amount), { path: ['amount'], message: 'must be a whole number of won for KRW' });

const completeBody = z.strictObject({
  imp_uid: z.string().min(1, 'must not be empty').max(64, 'at most 64 characters'),
  merchant_uid: merchantUid,
});

function requireJson(ctx: Context): void {
  if (!ctx.request.is('application/json')) throw badRequest('expected a JSON body (Content-Type: application/json)');
}

/** `order_` + time + randomness: unique, sortable, under PortOne's 40 characters. */
function newMerchantUid(): string {
  return `order_${Date.now().toString(36)}_${randomBytes(6).toString('hex')}`;
}

/** What GET /payments/:merchant_uid shows: the order and its history, no buyer data. */
export function orderView(order: Order): Record<string, unknown> {
  const { merchant_uid, amount, currency, name, state, imp_uid, history } = order;
  return { merchant_uid, amount, currency, name, state, imp_uid, history };
}

export function createPaymentRoutes(deps: SettleDeps & { portone: SettleDeps['portone'] & { prepare(merchantUid: string, amount: number, currency: string): Promise<unknown> } }): Router {
  const router = new Router();

  router.post('/payments/prepare', async (ctx) => {
    requireJson(ctx);
    const body = parseBody(prepareBody, ctx.request.body);
    const { created, order } = await deps.store.create({ merchant_uid: body.merchant_uid ?? newMerchantUid(), amount: body.amount, currency: body.currency, name: body.name ?? null });
    if (!created && (order.state !== 'ready' || !sameAmount(order.amount, body.amount) || order.currency !== body.currency)) {
      throw new RouteError(409, {
        status: 'error',
        message: order.state !== 'ready' ? `order ${order.merchant_uid} is already ${order.state}` : `order ${order.merchant_uid} exists with ${order.amount} ${order.currency}`,
      });
    }
    try {
      // PortOne's SDK then refuses any other amount for this merchant_uid.
      await deps.portone.prepare(order.merchant_uid, order.amount, order.currency);
    } catch (error) {
      deps.logger.warn('prepare: PortOne registration failed', { merchant_uid: order.merchant_uid, error });
      const settlement = unavailable(error instanceof PortOneUnavailable ? 'PortOne could not be reached; try again.' : `PortOne refused the amount: ${(error as Error).message}`);
      throw new RouteError(settlement.status, { ...settlement.body, retryable: error instanceof PortOneUnavailable });
    }
    ctx.status = 201;
    ctx.body = { merchant_uid: order.merchant_uid, amount: order.amount, currency: order.currency };
  });

  router.post('/payments/complete', async (ctx) => {
    requireJson(ctx);
    const body = parseBody(completeBody, ctx.request.body);
    const settlement = await settle(deps, body.imp_uid, body.merchant_uid, 'complete');
    ctx.status = settlement.status;
    ctx.body = settlement.body;
  });

  router.get('/payments/:merchant_uid', async (ctx) => {
    const order = await deps.store.get(ctx.params.merchant_uid);
    if (!order) throw new RouteError(404, { status: 'unknown_order' });
    ctx.body = orderView(order);
  });

  return router;
}
