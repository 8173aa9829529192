/**
 * PortOne REST V1, the operations this project uses, with PortOne's paths, envelope, status codes and
 * field names (`GET /payments/{imp_uid}` and friends). Business refusals of cancel are HTTP 200 with
 * `code: 1`, as PortOne answers them; lookups that miss are 404 with `code: -1`.
 */
import { Router } from '@koa/router';
import type { Context, Next } from 'koa';
import { z } from 'zod';
import { isExactAmount, isValidAmount } from '../../lib/money.js';
import type { SandboxState } from '../state.js';
import { answer, booleanish, NOT_FOUND_MESSAGE, numberish, parseInput, refuse, UNAUTHORIZED_MESSAGE } from './envelope.js';
import { CancelRefused, cancelPayment, isCancellable } from './payment.js';
import { PAYMENT_STATUSES } from './payment-object.js';
import type { PaymentRecord } from './records.js';
import type { WebhookSender } from './webhooks.js';

const tokenRequest = z.object({
  imp_key: z.string().min(1, 'required'),
  imp_secret: z.string().min(1, 'required'),
});

const amount = numberish.refine(isValidAmount, 'must be a positive number with at most 6 decimals');

const prepareRequest = z.object({
  merchant_uid: z.string().min(1, 'required').max(40, 'at most 40 characters'),
  amount,
  currency: z.string().min(3).max(3).nullish(),
});

/**
 * Cancel amounts are compared in exact micro-units (lib/money.ts), so a number that has no exact
 * six-decimal form (0.30000000000000004 from float arithmetic, 1e300) is bad input (400 naming it), not a
 * crash in compareAmounts.
 */
const cancelAmount = numberish.refine((n) => n >= 0 && isExactAmount(n), 'must be a number ≥ 0 with at most 6 decimals');

const cancelRequest = z
  .object({
    imp_uid: z.string().min(1).nullish(),
    merchant_uid: z.string().min(1).nullish(),
    amount: cancelAmount.nullish(),
    tax_free: cancelAmount.nullish(),
    vat_amount: cancelAmount.nullish(),
    checksum: cancelAmount.nullish(),
    reason: z.string().nullish(),
    refund_holder: z.string().nullish(),
    refund_bank: z.string().nullish(),
    refund_account: z.string().nullish(),
    refund_tel: z.string().nullish(),
    retain_promotion: booleanish.nullish(),
    enable_webhook: booleanish.nullish(),
  })
  .refine((body) => body.imp_uid || body.merchant_uid, { message: 'imp_uid or merchant_uid is required', path: ['imp_uid'] });

const SORTINGS = ['-started', 'started', '-paid', 'paid', '-updated', 'updated'] as const;

/** `Authorization: <token>`, `Authorization: Bearer <token>` or the legacy `X-ImpTokenHeader`. */
function presentedToken(ctx: Context): string | null {
  const authorization = ctx.get('authorization').trim();
  if (authorization) return authorization.replace(/^Bearer\s+/i, '');
  return ctx.get('x-imptokenheader').trim() || null;
}

/** PortOne's findAll page size. */
const FIND_ALL_PAGE = 20;

export function createRestRouter(state: SandboxState, webhooks: WebhookSender): Router {
  const router = new Router();
  const requireToken = async (ctx: Context, next: Next) => {
    if (!state.isValidToken(presentedToken(ctx))) return refuse(ctx, 401, -1, UNAUTHORIZED_MESSAGE);
    await next();
  };
  tokenRoute(router, state);
  lookupRoutes(router, state, requireToken);
  prepareRoutes(router, state, requireToken);
  cancelRoute(router, state, webhooks, requireToken);
  return router;
}

type Middleware = (ctx: Context, next: Next) => Promise<void>;
type RouteContext = Context & { params: Record<string, string> };

function tokenRoute(router: Router, state: SandboxState): void {
  router.post('/users/getToken', (ctx) => {
    const body = parseInput(ctx, tokenRequest, ctx.request.body);
    if (!body) return;
    if (body.imp_key !== state.apiKey || body.imp_secret !== state.apiSecret) {
      return refuse(ctx, 401, -1, '아임포트 API 키 또는 시크릿이 올바르지 않습니다. (imp_key / imp_secret)');
    }
    answer(ctx, state.issueToken());
  });
}

/** `GET /payments/{imp_uid}`, `/payments/find/{merchant_uid}[/{status}]` and `/payments/findAll/…`. */
function lookupRoutes(router: Router, state: SandboxState, requireToken: Middleware): void {
  router.get('/payments/find/:merchant_uid', requireToken, (ctx) => find(ctx, undefined));
  router.get('/payments/find/:merchant_uid/:payment_status', requireToken, (ctx) => find(ctx, ctx.params.payment_status));
  // Every payment of an order (duplicates included), FIND_ALL_PAGE a page: { total, previous, next, list }.
  router.get('/payments/findAll/:merchant_uid', requireToken, (ctx) => findAll(ctx, undefined));
  router.get('/payments/findAll/:merchant_uid/:payment_status', requireToken, (ctx) => findAll(ctx, ctx.params.payment_status));
  router.get('/payments/:imp_uid', requireToken, (ctx) => {
    const record = state.payments.get(ctx.params.imp_uid);
    if (!record) return refuse(ctx, 404, -1, NOT_FOUND_MESSAGE);
    answer(ctx, record.payment);
  });

  function find(ctx: RouteContext, status: string | undefined): void {
    const matches = matching(ctx, status);
    if (!matches) return;
    const found = matches[0];
    if (!found) return refuse(ctx, 404, -1, NOT_FOUND_MESSAGE);
    answer(ctx, found.payment);
  }

  function findAll(ctx: RouteContext, status: string | undefined): void {
    const page = ctx.query.page === undefined ? 1 : Number(ctx.query.page);
    if (!Number.isSafeInteger(page) || page < 1) return refuse(ctx, 400, -1, 'page must be an integer from 1');
    const matches = matching(ctx, status);
    if (!matches) return;
    if (matches.length === 0) return refuse(ctx, 404, -1, NOT_FOUND_MESSAGE);
    const pages = Math.ceil(matches.length / FIND_ALL_PAGE);
    const list = matches.slice((page - 1) * FIND_ALL_PAGE, page * FIND_ALL_PAGE).map((r) => r.payment);
    answer(ctx, { total: matches.length, previous: page > 1 ? Math.min(page - 1, pages) : 0, next: page < pages ? page + 1 : 0, list });
  }

  /** The order's payments with `status` (any when undefined), sorted as `?sorting=` asks; undefined once a 400 is answered. */
  function matching(ctx: RouteContext, status: string | undefined): PaymentRecord[] | undefined {
    if (status !== undefined && !(PAYMENT_STATUSES as readonly string[]).includes(status)) {
      refuse(ctx, 400, -1, `payment_status must be one of ${PAYMENT_STATUSES.join(', ')}`);
      return undefined;
    }
    const sorting = (ctx.query.sorting as string | undefined) ?? '-started';
    if (!(SORTINGS as readonly string[]).includes(sorting)) {
      refuse(ctx, 400, -1, `sorting must be one of ${SORTINGS.join(', ')}`);
      return undefined;
    }
    return sortPayments(
      state.paymentsInOrder(ctx.params.merchant_uid).filter((r) => status === undefined || r.payment.status === status),
      sorting,
    );
  }
}

/** `/payments/prepare`: the amount PortOne holds the payment window to (GET, POST, PUT). */
function prepareRoutes(router: Router, state: SandboxState, requireToken: Middleware): void {
  router.get('/payments/prepare/:merchant_uid', requireToken, (ctx) => {
    const prepared = state.prepared.get(ctx.params.merchant_uid);
    if (!prepared) return refuse(ctx, 404, -1, '사전등록된 결제정보가 존재하지 않습니다.');
    answer(ctx, prepared);
  });

  router.post('/payments/prepare', requireToken, (ctx) => {
    const body = parseInput(ctx, prepareRequest, ctx.request.body);
    if (!body) return;
    if (state.prepared.has(body.merchant_uid)) {
      // PortOne keeps the first registration; PUT /payments/prepare changes it.
      return refuse(ctx, 200, 1, '이미 등록된 merchant_uid입니다.');
    }
    const prepared = { merchant_uid: body.merchant_uid, amount: body.amount, currency: body.currency ?? null };
    state.prepared.set(body.merchant_uid, prepared);
    answer(ctx, prepared);
  });

  router.put('/payments/prepare', requireToken, (ctx) => {
    const body = parseInput(ctx, prepareRequest, ctx.request.body);
    if (!body) return;
    if (!state.prepared.has(body.merchant_uid)) return refuse(ctx, 404, -1, '사전등록된 결제정보가 존재하지 않습니다.');
    const prepared = { merchant_uid: body.merchant_uid, amount: body.amount, currency: body.currency ?? null };
    state.prepared.set(body.merchant_uid, prepared);
    answer(ctx, prepared);
  });
}

function cancelRoute(router: Router, state: SandboxState, webhooks: WebhookSender, requireToken: Middleware): void {
  router.post('/payments/cancel', requireToken, (ctx) => {
    const body = parseInput(ctx, cancelRequest, ctx.request.body);
    if (!body) return;
    // imp_uid wins when both are given, and an unknown imp_uid fails whatever merchant_uid says.
    const record = body.imp_uid ? state.payments.get(body.imp_uid) : cancelTarget(state.paymentsFor(body.merchant_uid!));
    if (!record) return refuse(ctx, 200, 1, '취소할 결제건이 존재하지 않습니다.');
    try {
      const entry = cancelPayment(record.payment, state.now(), { amount: body.amount ?? undefined, checksum: body.checksum, reason: body.reason });
      if (body.enable_webhook && record.usedWebhooks) webhooks.notify(record, entry.cancellation_id);
      answer(ctx, record.payment);
    } catch (e) {
      if (e instanceof CancelRefused) return refuse(ctx, 200, 1, e.message);
      throw e;
    }
  });
}

/**
 * The payment a cancel by `merchant_uid` means, among the order's payments (newest first): the newest one
 * that can be cancelled (paid, or a virtual account issued), else the newest that did not fail, so that
 * the refusal names its state (a later abandoned `ready` attempt must not hide the paid one).
 */
function cancelTarget(records: PaymentRecord[]): PaymentRecord | undefined {
  return records.find((r) => isCancellable(r.payment)) ?? records.find((r) => r.payment.status !== 'failed');
}

/**
 * PortOne's `sorting` over `records` given oldest first. Times are whole seconds, so payments made in the
 * same second tie: a tie goes to the order they were made in (the newest first for a descending sort, the
 * oldest first for an ascending one), as if the clock had finer grain. Array#sort is stable, so reversing
 * the input for a descending sort is enough.
 */
function sortPayments(records: PaymentRecord[], sorting: string): PaymentRecord[] {
  const descending = sorting.startsWith('-');
  const key = sorting.replace('-', '');
  const value = (r: PaymentRecord) =>
    key === 'paid' ? r.payment.paid_at : key === 'updated' ? Math.max(r.payment.started_at, r.payment.paid_at, r.payment.failed_at, r.payment.cancelled_at) : r.payment.started_at;
  const ordered = descending ? [...records].reverse() : [...records];
  return ordered.sort((a, b) => (descending ? value(b) - value(a) : value(a) - value(b)));
}
