/**
 * The PortOne V1 Payment object (payment-object.ts) as PortOne makes it, and the status changes the sandbox
 * applies to it.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { addAmounts, compareAmounts, isValidAmount, subtractAmounts, toUnits } from '../../lib/money.js';
import type { CancelHistoryEntry, Payment } from './payment-object.js';

/** PG providers PortOne V1 knows; any other `pg` is refused by the SDK (F1001). */
export const KNOWN_PG_PROVIDERS = new Set([
  'html5_inicis', 'inicis', 'inicis_unified', 'kcp', 'kcp_billing', 'kcp_quick', 'nice', 'nice_v2', 'jtnet',
  'kakaopay', 'kakao', 'danal', 'danal_tpay', 'mobilians', 'payco', 'paypal', 'paypal_v2', 'eximbay', 'naverpay',
  'smilepay', 'chai', 'alipay', 'settle', 'settle_acc', 'settle_firm', 'tosspay', 'tosspay_v2', 'tosspayments',
  'toss_brandpay', 'kicc', 'ksnet', 'smartro', 'smartro_v2', 'daou', 'welcome', 'uplus', 'bluewalnut',
  'paymentwall', 'hecto', 'inicis_v2',
]);

/**
 * PGs on PortOne's "new module" checkout: their callback and landing carry only imp_uid, merchant_uid and,
 * on failure, error_code / error_msg (no `success`, no payment fields).
 */
export const NEW_MODULE_PG_PROVIDERS = new Set([
  'tosspayments', 'ksnet', 'smartro_v2', 'nice_v2', 'toss_brandpay', 'welcome', 'paypal_v2', 'inicis_v2',
]);

const DEFAULT_PG_ID: Record<string, string> = {
  html5_inicis: 'INIpayTest',
  inicis: 'INIpayTest',
  kcp: 'T0000',
  kakaopay: 'TC0ONETIME',
  nice: 'nictest00m',
  tosspayments: 'tosstest',
  danal_tpay: '9810030929',
};

export interface PgChannel {
  pg_provider: string;
  pg_id: string;
}

/** `pg` is `provider` or `provider.MID`; a channel key stands for the console's default channel. */
export function resolveChannel(pg: string | undefined, channelKey: string | undefined): PgChannel {
  if (!pg || channelKey) return { pg_provider: 'html5_inicis', pg_id: 'INIpayTest' };
  const dot = pg.indexOf('.');
  const provider = dot === -1 ? pg : pg.slice(0, dot);
  const pgId = dot === -1 ? DEFAULT_PG_ID[provider] ?? `${provider}_test` : pg.slice(dot + 1);
  return { pg_provider: provider, pg_id: pgId };
}

export function newImpUid(): string {
  return `imp_${String(randomInt(1e6)).padStart(6, '0')}${String(randomInt(1e6)).padStart(6, '0')}`;
}

export function newCancellationId(): string {
  return randomBytes(12).toString('base64url');
}

export interface PaymentDraft {
  imp_uid: string;
  merchant_uid: string;
  amount: number;
  currency?: string;
  name?: string | null;
  pay_method?: string;
  channel?: Payment['channel'];
  pg?: string;
  channelKey?: string;
  escrow?: boolean;
  buyer_name?: string | null;
  buyer_email?: string | null;
  buyer_tel?: string | null;
  buyer_addr?: string | null;
  buyer_postcode?: string | null;
  custom_data?: unknown;
  user_agent?: string | null;
  customer_uid?: string | null;
}

/** A payment as PortOne records it when the payment window opens: `ready`, nothing paid yet. */
export function createPayment(input: PaymentDraft, now: number): Payment {
  const channel = resolveChannel(input.pg, input.channelKey);
  return {
    imp_uid: input.imp_uid,
    merchant_uid: input.merchant_uid,
    pay_method: normalisePayMethod(input.pay_method ?? 'card'),
    channel: input.channel ?? 'pc',
    pg_provider: channel.pg_provider,
    emb_pg_provider: null,
    pg_tid: null,
    pg_id: channel.pg_id,
    sandbox: true,
    escrow: input.escrow ?? false,
    apply_num: null,
    bank_code: null,
    bank_name: null,
    card_code: null,
    card_name: null,
    card_issuer_code: null,
    card_issuer_name: null,
    card_publisher_code: null,
    card_publisher_name: null,
    card_quota: 0,
    card_number: null,
    card_type: null,
    vbank_code: null,
    vbank_name: null,
    vbank_num: null,
    vbank_holder: null,
    vbank_date: 0,
    vbank_issued_at: 0,
    name: input.name ?? null,
    amount: input.amount,
    cancel_amount: 0,
    currency: input.currency ?? 'KRW',
    buyer_name: input.buyer_name ?? null,
    buyer_email: input.buyer_email ?? null,
    buyer_tel: input.buyer_tel ?? null,
    buyer_addr: input.buyer_addr ?? null,
    buyer_postcode: input.buyer_postcode ?? null,
    custom_data: serialiseCustomData(input.custom_data),
    user_agent: input.user_agent ?? null,
    status: 'ready',
    started_at: now,
    paid_at: 0,
    failed_at: 0,
    cancelled_at: 0,
    fail_reason: null,
    cancel_reason: null,
    receipt_url: null,
    cancel_history: [],
    deposit_history: [],
    cancel_receipt_urls: [],
    cash_receipt_issued: false,
    customer_uid: input.customer_uid ?? null,
    customer_uid_usage: null,
    promotion: null,
  };
}

/** `samsungpay` is requested, `samsung` is what PortOne reports. */
function normalisePayMethod(payMethod: string): string {
  return payMethod === 'samsungpay' ? 'samsung' : payMethod;
}

/** PortOne stores whatever request_pay's `custom_data` was as a JSON string. */
function serialiseCustomData(data: unknown): string | null {
  if (data === undefined || data === null) return null;
  return typeof data === 'string' ? data : JSON.stringify(data);
}

function digits(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String(randomInt(10));
  return out;
}

function pgTid(payment: Payment, now: number): string {
  const stamp = new Date(now * 1000).toISOString().replace(/\D/g, '').slice(0, 14);
  return `Sandbox${payment.pay_method.toUpperCase()}${payment.pg_id}${stamp}${digits(6)}`.slice(0, 64);
}

function receiptUrl(payment: Payment): string {
  return `https://sandbox.invalid/receipts/${payment.imp_uid}`;
}

/** The buyer approved: the PG charged `amount` (normally the requested one). */
export function markPaid(payment: Payment, now: number, amount = payment.amount): void {
  payment.status = 'paid';
  payment.amount = amount;
  payment.paid_at = now;
  payment.pg_tid ??= pgTid(payment, now);
  payment.receipt_url = receiptUrl(payment);
  if (payment.pay_method === 'card') {
    payment.apply_num = digits(8);
    payment.card_code = '366';
    payment.card_name = '신한카드';
    payment.card_number = '510737*********6';
    payment.card_type = 0;
  } else if (payment.pay_method === 'trans') {
    payment.bank_code = '088';
    payment.bank_name = '신한은행';
  }
}

/** A virtual account was issued: the payment stays `ready` until the buyer deposits. */
export function markVbankIssued(payment: Payment, now: number, dueAt?: number): void {
  payment.status = 'ready';
  payment.pay_method = 'vbank';
  payment.pg_tid ??= pgTid(payment, now);
  payment.vbank_code = '004';
  payment.vbank_name = 'KB국민은행';
  payment.vbank_num = `${digits(6)}-${digits(2)}-${digits(6)}`;
  payment.vbank_holder = '（주）포트원샌드박스';
  payment.vbank_date = dueAt ?? now + 3 * 24 * 3600;
  payment.vbank_issued_at = now;
}

export function markFailed(payment: Payment, now: number, reason: string): void {
  payment.status = 'failed';
  payment.failed_at = now;
  payment.fail_reason = reason;
}

export interface CancelRequest {
  amount?: number;
  checksum?: number | null;
  reason?: string | null;
}

/** PortOne answers a refused cancel with HTTP 200 and `code: 1`; this is the `message`. */
export class CancelRefused extends Error {}

/** Whether a cancel can apply: the payment is paid, or its virtual account was issued. */
export function isCancellable(payment: Payment): boolean {
  const issuedVbank = payment.status === 'ready' && payment.pay_method === 'vbank' && payment.vbank_issued_at > 0;
  return payment.status === 'paid' || issuedVbank;
}

/** Full or partial cancel with PortOne's balance check (`checksum`). Mutates only on success. */
export function cancelPayment(payment: Payment, now: number, request: CancelRequest): CancelHistoryEntry {
  const cancellable = subtractAmounts(payment.amount, payment.cancel_amount);
  if (payment.status === 'cancelled') throw new CancelRefused('이미 전액취소된 주문입니다.');
  if (!isCancellable(payment)) throw new CancelRefused('결제완료 상태가 아닌 결제건은 취소할 수 없습니다.');
  if (request.checksum !== undefined && request.checksum !== null && compareAmounts(request.checksum, cancellable) !== 0) {
    throw new CancelRefused(`checksum(${request.checksum})이 취소가능잔액(${cancellable})과 일치하지 않습니다.`);
  }
  const amount = request.amount === undefined || request.amount === 0 ? cancellable : request.amount;
  if (!isValidAmount(amount)) throw new CancelRefused('취소 요청금액(amount)이 올바르지 않습니다.');
  if (compareAmounts(amount, cancellable) > 0) {
    throw new CancelRefused(`취소요청금액(${amount})이 취소가능잔액(${cancellable})보다 큽니다.`);
  }
  const entry: CancelHistoryEntry = {
    pg_tid: payment.pg_tid ?? pgTid(payment, now),
    amount,
    cancelled_at: now,
    reason: request.reason ?? '취소요청',
    cancellation_id: newCancellationId(),
    receipt_url: receiptUrl(payment),
  };
  payment.cancel_history.push(entry);
  payment.cancel_receipt_urls.push(entry.receipt_url!);
  payment.cancel_amount = addAmounts(payment.cancel_amount, amount);
  payment.cancel_reason = entry.reason;
  // A partial cancel leaves the payment `paid` with cancel_amount > 0; only the last won moves it.
  if (toUnits(payment.cancel_amount) === toUnits(payment.amount)) {
    payment.status = 'cancelled';
    payment.cancelled_at = now;
  }
  return entry;
}
