/**
 * The PortOne V1 Payment object, as the REST API and the control API answer it. Types only (and the list of
 * statuses): the control client reads it in browsers too.
 *
 * Field names, types and defaults follow PortOne's REST V1 `Payment` exactly: absent strings are `null`,
 * absent times are `0`, absent lists are `[]`, timestamps are UNIX seconds, `custom_data` is a JSON string.
 */
export type PaymentStatus = 'ready' | 'paid' | 'cancelled' | 'failed';
export const PAYMENT_STATUSES: readonly PaymentStatus[] = ['ready', 'paid', 'cancelled', 'failed'];

export interface CancelHistoryEntry {
  pg_tid: string;
  amount: number;
  cancelled_at: number;
  reason: string;
  cancellation_id: string;
  receipt_url: string | null;
}

export interface Payment {
  imp_uid: string;
  merchant_uid: string;
  pay_method: string;
  channel: 'pc' | 'mobile' | 'api';
  pg_provider: string;
  emb_pg_provider: string | null;
  pg_tid: string | null;
  pg_id: string;
  sandbox: boolean;
  escrow: boolean;
  apply_num: string | null;
  bank_code: string | null;
  bank_name: string | null;
  card_code: string | null;
  card_name: string | null;
  card_issuer_code: string | null;
  card_issuer_name: string | null;
  card_publisher_code: string | null;
  card_publisher_name: string | null;
  card_quota: number;
  card_number: string | null;
  card_type: number | null;
  vbank_code: string | null;
  vbank_name: string | null;
  vbank_num: string | null;
  vbank_holder: string | null;
  vbank_date: number;
  vbank_issued_at: number;
  name: string | null;
  amount: number;
  cancel_amount: number;
  currency: string;
  buyer_name: string | null;
  buyer_email: string | null;
  buyer_tel: string | null;
  buyer_addr: string | null;
  buyer_postcode: string | null;
  custom_data: string | null;
  user_agent: string | null;
  status: PaymentStatus;
  started_at: number;
  paid_at: number;
  failed_at: number;
  cancelled_at: number;
  fail_reason: string | null;
  cancel_reason: string | null;
  receipt_url: string | null;
  cancel_history: CancelHistoryEntry[];
  deposit_history: unknown[];
  cancel_receipt_urls: string[];
  cash_receipt_issued: boolean;
  customer_uid: string | null;
  customer_uid_usage: string | null;
  promotion: null;
}
