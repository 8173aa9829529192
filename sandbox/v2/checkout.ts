/**
 * The browser side of PortOne V2, as the stand-in browser SDK (sdk/browser-sdk.js) talks to it: the SDK itself, and
 * the request that opens a payment (`POST /__sandbox/checkout`) with PortOne's refusals before any window opens: an
 * unknown store, a paid paymentId (`PaymentAlreadyPaid`), another amount or currency than the pre-registered one
 * (`AmountNotEqualToPredefined`). A request that passes makes a new READY attempt on the paymentId and names its payment
 * window (window.ts). The SDK has already checked the request's shape, as the real one does.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Router } from '@koa/router';
import { z } from 'zod';
import type { Device } from '../control-api.js';
import { parseOrRefuse, writeError } from '../errors.js';
import { minorUnits, paymentIdSchema, V2_WINDOW_ACTIONS, type V2WindowScript } from './control-api.js';
import { hasBeenPaid, newAttempt } from './payment.js';
import type { V2Customer } from './payment-object.js';
import type { V2State } from './state.js';

/** The page's own choice for its payment window (`window.portoneSandbox.script`): this payment's alone. */
const pageScript = z.strictObject({
  action: z.enum(V2_WINDOW_ACTIONS),
  amount: minorUnits.nullish(),
  pgCode: z.string().min(1).max(100).nullish(),
  pgMessage: z.string().min(1).max(1000).nullish(),
  delayMs: z.number().int().min(0).max(60_000).default(0),
});

/** What the SDK sends when requestPayment is called; `request` is requestPayment's argument, its shape checked by the SDK. */
const checkoutRequest = z.object({
  device: z.enum(['pc', 'mobile']),
  pageUrl: z.url(),
  userAgent: z.string().max(1000).nullish(),
  channelType: z.enum(['LIVE', 'TEST']).nullish(),
  script: pageScript.nullish(),
  request: z.looseObject({
    storeId: z.string().min(1),
    paymentId: paymentIdSchema,
    orderName: z.string().min(1),
    totalAmount: minorUnits,
    currency: z.string().regex(/^(CURRENCY_)?[A-Z]{3}$/),
    payMethod: z.string().min(1),
    channelKey: z.string().nullish(),
    channelGroupId: z.string().nullish(),
    taxFreeAmount: minorUnits.nullish(),
    vatAmount: minorUnits.nullish(),
    redirectUrl: z.string().nullish(),
    forceRedirect: z.boolean().nullish(),
    noticeUrls: z.array(z.url()).max(10).nullish(),
    customData: z.unknown().optional(),
    customer: z.record(z.string(), z.unknown()).nullish(),
    easyPay: z.record(z.string(), z.unknown()).nullish(),
    locale: z.string().nullish(),
  }),
});
type CheckoutRequest = z.output<typeof checkoutRequest>;

export function createV2CheckoutRouter(state: V2State): Router {
  const router = new Router();
  const sdk = readFileSync(new URL('./sdk/browser-sdk.js', import.meta.url), 'utf8');

  router.get('/browser-sdk.js', (ctx) => {
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.set('cache-control', 'no-cache');
    ctx.body = sdk;
  });

  router.post('/__sandbox/checkout', (ctx) => {
    const input = parseOrRefuse(checkoutRequest, ctx.request.body, (message) => writeError(ctx, 400, message));
    if (!input) return;
    if (input.script?.action === 'amount' && input.script.amount == null) return writeError(ctx, 400, 'script.amount: required for action "amount"');
    const { request } = input;
    const paymentId = request.paymentId;
    const refuse = (code: string, message: string) => {
      ctx.body = { error: { transactionType: 'PAYMENT', paymentId, txId: randomUUID(), code, message } };
    };
    if (request.storeId !== state.credentials.storeId) return refuse('StoreNotFound', `상점을 찾을 수 없습니다. (storeId: ${request.storeId}; the sandbox's store is ${state.credentials.storeId})`);
    const existing = state.payments.get(paymentId);
    if (existing && hasBeenPaid(existing.payment)) return refuse('PaymentAlreadyPaid', `이미 결제가 완료된 결제 건입니다. (paymentId: ${paymentId})`);
    const currency = request.currency.replace(/^CURRENCY_/, '');
    const registered = state.preRegistered.get(paymentId);
    if (registered && ((registered.totalAmount !== null && registered.totalAmount !== request.totalAmount) || (registered.currency !== null && registered.currency !== currency))) {
      return refuse('AmountNotEqualToPredefined', `사전 등록된 결제 정보와 요청이 일치하지 않습니다. (사전 등록 ${registered.totalAmount ?? '-'} ${registered.currency ?? ''}, 요청 ${request.totalAmount} ${currency})`);
    }
    const queued = state.peekScript(paymentId) ?? null;
    const device: Device = queued?.device ?? input.device;
    const record = newAttempt(
      {
        paymentId,
        storeId: request.storeId,
        orderName: request.orderName,
        totalAmount: request.totalAmount,
        taxFreeAmount: request.taxFreeAmount ?? undefined,
        vatAmount: request.vatAmount ?? undefined,
        currency,
        payMethod: request.payMethod,
        easyPayProvider: typeof request.easyPay?.easyPayProvider === 'string' ? request.easyPay.easyPayProvider : null,
        channelType: input.channelType ?? 'LIVE',
        channelKey: request.channelKey ?? undefined,
        customer: customerOf(request.customer),
        customData: request.customData,
        origin: { platformType: device === 'mobile' ? 'MOBILE' : 'PC', ipAddress: ctx.ip || '127.0.0.1', url: input.pageUrl, ...(input.userAgent ? { userAgent: input.userAgent } : {}) },
        noticeUrls: request.noticeUrls ?? [],
      },
      state.now(),
    );
    const redirectUrl = request.redirectUrl ?? null;
    record.checkout = {
      device,
      // The page is left for the window (and comes back to redirectUrl) on mobile, or always with forceRedirect.
      redirect: redirectUrl !== null && (device === 'mobile' || request.forceRedirect === true),
      pageUrl: input.pageUrl,
      redirectUrl,
      language: request.locale === 'EN_US' ? 'en' : 'ko',
      done: false,
      script: queued ? null : input.script ? pageChoice(state, paymentId, input.script) : null,
    };
    // A new attempt replaces the visible one (PortOne: many attempts per paymentId, one success).
    state.payments.delete(paymentId);
    state.payments.set(paymentId, record);
    ctx.body = {
      redirect: record.checkout.redirect,
      paymentId,
      txId: record.payment.transactionId,
      windowUrl: `${ctx.protocol}://${ctx.host}/__sandbox/window/${encodeURIComponent(paymentId)}`,
    };
  });

  return router;
}

function pageChoice(state: V2State, paymentId: string, script: NonNullable<CheckoutRequest['script']>): V2WindowScript {
  return {
    id: state.id(),
    paymentId,
    action: script.action,
    amount: script.amount ?? null,
    pgCode: script.pgCode ?? null,
    pgMessage: script.pgMessage ?? null,
    device: null,
    delayMs: script.delayMs,
  };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The SDK's `customer` as the REST Payment reports it (`fullName` → `name`, the address in both forms). */
function customerOf(customer: Record<string, unknown> | null | undefined): V2Customer | undefined {
  if (!customer) return undefined;
  const name = text(customer.fullName) ?? ([text(customer.lastName), text(customer.firstName)].filter(Boolean).join('') || undefined);
  const address = customer.address as Record<string, unknown> | undefined;
  const line1 = text(address?.addressLine1);
  const line2 = text(address?.addressLine2) ?? '';
  const out: V2Customer = {
    ...(text(customer.customerId) ? { id: text(customer.customerId) } : {}),
    ...(name ? { name } : {}),
    ...(text(customer.email) ? { email: text(customer.email) } : {}),
    ...(text(customer.phoneNumber) ? { phoneNumber: text(customer.phoneNumber) } : {}),
    ...(text(customer.zipcode) ? { zipcode: text(customer.zipcode) } : {}),
    ...(line1 ? { address: { type: 'SEPARATED' as const, oneLine: `${line1} ${line2}`.trim(), addressLine1: line1, addressLine2: line2 } } : {}),
  };
  return out;
}
