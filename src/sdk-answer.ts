/**
 * What iamport.js said, from its callback (`rsp`) or from a landing on `m_redirect_url` (query strings):
 * a failure when it carries `error_code` (or 1.x's misspelt `error_coe`) or `error_msg`, or `success` /
 * `imp_success` equal to false. Anything else is only a claim for the verify endpoint to settle: newer PG
 * modules send neither flag, and `success` never meant "paid".
 */
export interface SdkAnswer {
  impUid?: string;
  merchantUid?: string;
  /** Present on a failure: the PG's code (or the element's `payment_failed`). */
  code?: string;
  /** The SDK's `error_msg` verbatim (else the code). */
  message?: string;
  cancelled?: boolean;
}

/**
 * The buyer closed or cancelled the window, as PortOne reports it: legacy PGs send only `error_msg`
 * `[결제포기] 사용자가 결제를 취소하셨습니다` (callback and landing alike), new-module PGs (tosspayments …) the code
 * `PAY_PROCESS_CANCELED`; KG이니시스's own words say `사용자가 결제를 취소하였습니다`. A decline (`F0004`, `F0005` "결제가
 * 중단되었습니다") is not a close.
 */
const CLOSED = /^\[결제포기\]|사용자가 결제를 취소/;

/** A non-empty string or a number, as text. */
const text = (value: unknown) => ((typeof value === 'string' && value) || typeof value === 'number' ? String(value) : undefined);

const isFalse = (value: unknown) => value === false || value === 'false';

export const readSdkAnswer = (fields: Record<string, unknown>): SdkAnswer => {
  const impUid = text(fields.imp_uid);
  const merchantUid = text(fields.merchant_uid);
  const code = text(fields.error_code) ?? text(fields.error_coe);
  const message = text(fields.error_msg);
  // Only the ids there are: a detail has no `impUid` key rather than an undefined one.
  const answer: SdkAnswer = { ...(impUid && { impUid }), ...(merchantUid && { merchantUid }) };
  return code || message || isFalse(fields.success) || isFalse(fields.imp_success)
    ? { ...answer, code: code ?? 'payment_failed', message: message ?? code ?? 'payment_failed', cancelled: code === 'PAY_PROCESS_CANCELED' || CLOSED.test(message!) }
    : answer;
};
