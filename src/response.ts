/**
 * What iamport.js said, from its callback (`rsp`) or from a landing on `m_redirect_url` (query strings):
 * a failure when it carries `error_code` (or 1.x's misspelt `error_coe`) or `error_msg`, or `success` /
 * `imp_success` equal to false. Anything else is only a claim for the verify endpoint to settle: newer PG
 * modules send neither flag, and `success` never meant "paid".
 */
export interface SdkAnswer {
  impUid?: string;
  merchantUid?: string;
  failure?: { code: string; message: string };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

function isFalse(value: unknown): boolean {
  return value === false || value === 'false';
}

export function readSdkAnswer(fields: Record<string, unknown>): SdkAnswer {
  const errorCode = text(fields.error_code) ?? text(fields.error_coe);
  const errorMsg = text(fields.error_msg);
  const answer: SdkAnswer = { impUid: text(fields.imp_uid), merchantUid: text(fields.merchant_uid) };
  if (errorCode || errorMsg || isFalse(fields.success) || isFalse(fields.imp_success)) {
    answer.failure = { code: errorCode ?? 'payment_failed', message: errorMsg ?? '' };
  }
  return answer;
}
