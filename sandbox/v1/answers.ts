/**
 * What PortOne V1 answers the page once the window is done: the callback object (PC) or the query appended to
 * `m_redirect_url` (mobile), each with the success flag the PG's shape uses.
 */
import type { ResponseShape } from '../control-api.js';
import { NEW_MODULE_PG_PROVIDERS } from './payment.js';
import type { Payment } from './payment-object.js';

/** A callback response or landing query, before the shape decides which success flag it carries. */
export type Outcome = { ok: true; fields: Record<string, unknown> } | { ok: false; error_code: string | null; error_msg: string; fields: Record<string, unknown> };

export function defaultShape(pgProvider: string): { callback: ResponseShape; landing: ResponseShape } {
  if (NEW_MODULE_PG_PROVIDERS.has(pgProvider)) return { callback: 'none', landing: 'none' };
  if (pgProvider === 'daou') return { callback: 'imp_success', landing: 'imp_success' };
  return { callback: 'success', landing: 'imp_success' };
}

/** The callback object (PC) for an outcome, shaped as PortOne's frame posts it. */
export function callbackResponse(payment: Pick<Payment, 'imp_uid' | 'merchant_uid'> | { imp_uid: null; merchant_uid: string }, outcome: Outcome, shape: ResponseShape): Record<string, unknown> {
  const ids = { imp_uid: payment.imp_uid, merchant_uid: payment.merchant_uid };
  if (shape === 'none') {
    return outcome.ok ? ids : { ...ids, error_code: outcome.error_code ?? 'F400', error_msg: outcome.error_msg };
  }
  const flag = { [shape]: outcome.ok };
  if (outcome.ok) return { ...flag, ...ids, ...outcome.fields };
  const error: Record<string, unknown> = { ...flag, ...ids, ...outcome.fields, error_msg: outcome.error_msg };
  if (outcome.error_code !== null) error.error_code = outcome.error_code;
  return error;
}

/** The query PortOne appends to `m_redirect_url` (strings only; values are URL-encoded by URLSearchParams). */
export function landingQuery(ids: { imp_uid: string | null; merchant_uid: string }, outcome: Outcome, shape: ResponseShape): Record<string, string> {
  const query: Record<string, string> = { imp_uid: ids.imp_uid ?? '', merchant_uid: ids.merchant_uid };
  if (shape !== 'none') query[shape] = String(outcome.ok);
  if (!outcome.ok) {
    if (outcome.error_code !== null) query.error_code = outcome.error_code;
    query.error_msg = outcome.error_msg;
  }
  return query;
}

/** The legacy callback's payment fields (PortOne's PAYRT sample), for a payment that reached the PG. */
export function paymentFields(p: Payment, checkoutParams?: Record<string, unknown>): Record<string, unknown> {
  return {
    pay_method: p.pay_method,
    paid_amount: p.status === 'paid' ? p.amount : 0,
    status: p.status,
    name: p.name,
    pg_provider: p.pg_provider,
    emb_pg_provider: p.emb_pg_provider,
    pg_tid: p.pg_tid,
    pg_type: 'payment',
    buyer_name: p.buyer_name,
    buyer_email: p.buyer_email,
    buyer_tel: p.buyer_tel,
    buyer_addr: p.buyer_addr,
    buyer_postcode: p.buyer_postcode,
    custom_data: checkoutParams?.custom_data ?? null,
    paid_at: p.paid_at,
    receipt_url: p.receipt_url,
    currency: p.currency,
    card_name: p.card_name,
    card_number: p.card_number,
    card_quota: p.card_quota,
    bank_name: p.bank_name,
    apply_num: p.apply_num,
    vbank_num: p.vbank_num,
    vbank_name: p.vbank_name,
    vbank_holder: p.vbank_holder,
    vbank_date: p.vbank_date,
  };
}

/** `m_redirect_url` with the landing parameters appended (its own query is kept); no URL → the sandbox's page. */
export function landingUrl(mRedirectUrl: string | null, query: Record<string, string>, sandboxOrigin: string): string {
  let url: URL;
  try {
    url = new URL(mRedirectUrl ?? `${sandboxOrigin}/__sandbox/landing`);
  } catch {
    url = new URL(`${sandboxOrigin}/__sandbox/landing`);
  }
  for (const [key, value] of Object.entries(query)) url.searchParams.append(key, value);
  return url.href;
}

