/**
 * The V2 Payment object (payment-object.ts) as PortOne makes it, and the status changes the sandbox applies to it.
 * Money is integers in the currency's minor unit, added and subtracted only (VAT is one integer division).
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { V2Refusal } from './errors.js';
import type { ChannelType, V2Cancellation, V2Customer, V2Payment, V2PaymentMethod, V2PaymentOrigin } from './payment-object.js';
import type { V2PaymentRecord } from './records.js';

export const SANDBOX_MERCHANT_ID = 'merchant-sandbox';
const DEFAULT_CHANNEL = { id: 'channel-id-sandbox', key: 'channel-key-sandbox', name: '[샌드박스] KG이니시스', pgProvider: 'INICIS_V2', pgMerchantId: 'INIpayTest' };

/** An RFC 3339 date-time from the sandbox clock (UNIX seconds). */
export function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/** VAT PortOne assumes when none is given: 1/11 of the taxable part, rounded half up (exact integer arithmetic). */
export function vatOf(taxable: number): number {
  return Math.floor((taxable * 2 + 11) / 22);
}

function digits(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String(randomInt(10));
  return out;
}

export interface AttemptInput {
  paymentId: string;
  storeId: string;
  orderName: string;
  totalAmount: number;
  taxFreeAmount?: number;
  vatAmount?: number;
  currency: string;
  payMethod: string;
  easyPayProvider?: string | null;
  channelType: ChannelType;
  channelKey?: string;
  customer?: V2Customer;
  customData?: unknown;
  origin: V2PaymentOrigin;
  noticeUrls?: string[];
}

/** A new attempt, `READY` (the payment window is open, nothing paid): a new transactionId. */
export function newAttempt(input: AttemptInput, now: number): V2PaymentRecord {
  const taxFree = input.taxFreeAmount ?? 0;
  const vat = input.vatAmount ?? vatOf(input.totalAmount - taxFree);
  const at = isoTime(now);
  const payment: V2Payment = {
    status: 'READY',
    id: input.paymentId,
    transactionId: randomUUID(),
    merchantId: SANDBOX_MERCHANT_ID,
    storeId: input.storeId,
    channel: { ...DEFAULT_CHANNEL, type: input.channelType, key: input.channelKey ?? DEFAULT_CHANNEL.key },
    version: 'V2',
    requestedAt: at,
    updatedAt: at,
    statusChangedAt: at,
    orderName: input.orderName,
    amount: { total: input.totalAmount, taxFree, vat, supply: input.totalAmount - taxFree - vat, discount: 0, paid: 0, cancelled: 0, cancelledTaxFree: 0 },
    currency: input.currency,
    customer: input.customer ?? {},
    origin: input.origin,
  };
  const customData = serialiseCustomData(input.customData);
  if (customData !== undefined) payment.customData = customData;
  return { payment, payMethod: input.payMethod, easyPayProvider: input.easyPayProvider ?? null, noticeUrls: input.noticeUrls ?? [] };
}

/** The REST Payment carries `customData` as the string the request's object serialises to. */
function serialiseCustomData(data: unknown): string | undefined {
  if (data === undefined || data === null) return undefined;
  return typeof data === 'string' ? data : JSON.stringify(data);
}

/** Whether the paymentId has succeeded once: PortOne refuses another attempt on it (`PaymentAlreadyPaid`, `ALREADY_PAID`). */
export function hasBeenPaid(payment: V2Payment): boolean {
  return payment.status === 'PAID' || payment.status === 'PARTIAL_CANCELLED' || payment.status === 'CANCELLED';
}

function changeStatus(payment: V2Payment, status: V2Payment['status'], now: number): void {
  payment.status = status;
  payment.updatedAt = isoTime(now);
  payment.statusChangedAt = payment.updatedAt;
}

function pgTxId(now: number): string {
  return `SandboxV2${isoTime(now).replace(/\D/g, '').slice(0, 14)}${digits(6)}`;
}

function methodFor(record: V2PaymentRecord): V2PaymentMethod | undefined {
  switch (record.payMethod) {
    case 'CARD':
      return {
        type: 'PaymentMethodCard',
        card: { publisher: 'SHINHAN', issuer: 'SHINHAN', brand: 'MASTER', type: 'CREDIT', ownerType: 'PERSONAL', bin: '51073700', name: '신한카드', number: '51073700****1234' },
        approvalNumber: digits(8),
        installment: { month: 0, isInterestFree: false },
        pointUsed: false,
      };
    case 'TRANSFER':
      return { type: 'PaymentMethodTransfer', bank: 'SHINHAN' };
    case 'MOBILE':
      return { type: 'PaymentMethodMobile', phoneNumber: record.payment.customer.phoneNumber ?? '01000000000' };
    case 'EASY_PAY':
      return { type: 'PaymentMethodEasyPay', provider: record.easyPayProvider ?? 'KAKAOPAY', easyPayMethod: { type: 'PaymentMethodEasyPayMethodCharge' } };
    default:
      return undefined;
  }
}

/** The buyer approved (or deposited into the virtual account): PAID, `amount.paid` = what was charged. */
export function markPaid(record: V2PaymentRecord, now: number, charged = record.payment.amount.total): void {
  const { payment } = record;
  if (charged !== payment.amount.total) {
    // The PG charged another amount than requested (the window's "pay a different amount"): PortOne reports what was paid.
    const taxFree = Math.min(payment.amount.taxFree, charged);
    const vat = vatOf(charged - taxFree);
    payment.amount = { ...payment.amount, total: charged, taxFree, vat, supply: charged - taxFree - vat };
  }
  changeStatus(payment, 'PAID', now);
  payment.amount.paid = payment.amount.total;
  payment.paidAt = isoTime(now);
  payment.pgTxId ??= pgTxId(now);
  payment.receiptUrl = `https://sandbox.invalid/v2/receipts/${encodeURIComponent(payment.transactionId)}`;
  payment.disputes = [];
  payment.cancellations = [];
  // A deposited virtual account keeps its account as its method.
  if (payment.method?.type !== 'PaymentMethodVirtualAccount') {
    const method = methodFor(record);
    if (method) payment.method = method;
  }
}

/** A virtual account was issued: the payment waits for the deposit (`dueAt`, default three days). */
export function markVirtualAccountIssued(record: V2PaymentRecord, now: number, dueAt = now + 3 * 24 * 3600): void {
  const { payment } = record;
  record.payMethod = 'VIRTUAL_ACCOUNT';
  changeStatus(payment, 'VIRTUAL_ACCOUNT_ISSUED', now);
  payment.pgTxId ??= pgTxId(now);
  payment.method = {
    type: 'PaymentMethodVirtualAccount',
    bank: 'KOOKMIN',
    accountNumber: `${digits(6)}${digits(2)}${digits(6)}`,
    accountType: 'NORMAL',
    remitteeName: '（주）포트원샌드박스',
    remitterName: payment.customer.name ?? '홍길동',
    expiredAt: isoTime(dueAt),
    issuedAt: isoTime(now),
  };
}

export function markPayPending(record: V2PaymentRecord, now: number): void {
  changeStatus(record.payment, 'PAY_PENDING', now);
  record.payment.pgTxId ??= pgTxId(now);
}

export function markFailed(record: V2PaymentRecord, now: number, failure: { reason: string; pgCode?: string; pgMessage?: string }): void {
  const { payment } = record;
  changeStatus(payment, 'FAILED', now);
  payment.failedAt = isoTime(now);
  payment.failure = { reason: failure.reason, ...(failure.pgCode ? { pgCode: failure.pgCode } : {}), ...(failure.pgMessage ? { pgMessage: failure.pgMessage } : {}) };
}

export interface CancelRequest {
  amount?: number;
  taxFreeAmount?: number;
  vatAmount?: number;
  currentCancellableAmount?: number;
  reason: string;
  trigger: V2Cancellation['trigger'];
}

/**
 * A full or partial cancel with PortOne's checks, in its order: the status, the balance the caller believes in
 * (`currentCancellableAmount`), the amount, its tax-free part and VAT. Mutates only on success.
 */
export function cancelPayment(record: V2PaymentRecord, now: number, request: CancelRequest): V2Cancellation {
  const { payment } = record;
  const { amount } = payment;
  if (payment.status === 'CANCELLED') throw new V2Refusal('PAYMENT_ALREADY_CANCELLED', '이미 전액 취소된 결제입니다.');
  if (payment.status !== 'PAID' && payment.status !== 'PARTIAL_CANCELLED') {
    throw new V2Refusal('PAYMENT_NOT_PAID', `결제 완료 상태가 아닌 결제는 취소할 수 없습니다. (status: ${payment.status})`);
  }
  const balance = amount.paid - amount.cancelled;
  if (request.currentCancellableAmount !== undefined && request.currentCancellableAmount !== balance) {
    throw new V2Refusal('CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN', `취소 가능 금액(${balance})이 요청의 currentCancellableAmount(${request.currentCancellableAmount})와 다릅니다.`);
  }
  const total = request.amount ?? balance;
  if (total <= 0) throw new V2Refusal('INVALID_REQUEST', 'amount: must be positive');
  if (total > balance) throw new V2Refusal('CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT', `취소 요청 금액(${total})이 취소 가능 금액(${balance})을 초과합니다.`);
  const taxFreeBalance = amount.taxFree - amount.cancelledTaxFree;
  const taxableBalance = balance - taxFreeBalance;
  const full = total === balance;
  // Without a tax-free part, a cancel takes the taxable balance first; the whole balance takes every part left.
  const taxFree = request.taxFreeAmount ?? (full ? taxFreeBalance : Math.max(0, total - taxableBalance));
  if (taxFree > taxFreeBalance) {
    throw new V2Refusal('CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT', `면세 취소 금액(${taxFree})이 취소 가능한 면세 금액(${taxFreeBalance})을 초과합니다.`);
  }
  const vatCancelled = (payment.cancellations ?? []).reduce((sum, c) => sum + c.vatAmount, 0);
  const vat = request.vatAmount ?? (full ? Math.max(0, amount.vat - vatCancelled) : vatOf(total - taxFree));
  if (taxFree + vat > total) throw new V2Refusal('SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT', `면세 금액(${taxFree})과 부가세(${vat})의 합이 취소 금액(${total})을 초과합니다.`);
  const at = isoTime(now);
  const cancellation: V2Cancellation = {
    status: 'SUCCEEDED',
    id: randomBytes(12).toString('base64url'),
    pgCancellationId: `SandboxCancel${digits(10)}`,
    totalAmount: total,
    taxFreeAmount: taxFree,
    vatAmount: vat,
    reason: request.reason,
    cancelledAt: at,
    requestedAt: at,
    receiptUrl: payment.receiptUrl ?? `https://sandbox.invalid/v2/receipts/${encodeURIComponent(payment.transactionId)}`,
    trigger: request.trigger,
  };
  payment.cancellations = [...(payment.cancellations ?? []), cancellation];
  amount.cancelled += total;
  amount.cancelledTaxFree += taxFree;
  payment.cancelledAt = at;
  const status = amount.cancelled === amount.paid ? 'CANCELLED' : 'PARTIAL_CANCELLED';
  if (status !== payment.status) changeStatus(payment, status, now);
  else payment.updatedAt = at;
  // The OpenAPI's (PARTIAL_)CANCELLED payments have no `disputes` (only PAID has).
  delete payment.disputes;
  if (payment.method?.type === 'PaymentMethodVirtualAccount') payment.method.refundStatus = 'COMPLETED';
  return cancellation;
}
