/**
 * What PortOne V2 said: `PortOne.requestPayment`'s response, or the query of a landing on `redirectUrl` (the same
 * keys). A failure when it carries `code` (PortOne's own test: `response.code !== undefined`), with `message` and
 * the PG's `pgCode` / `pgMessage` when given; anything else is only a claim for the verify endpoint to settle.
 */

/** An answer or a landing, read: the ids it carries (detail keys), and for a failure its code and message. */
export interface Answer {
  paymentId?: string;
  txId?: string;
  code?: string;
  message?: string;
  cancelled?: boolean;
  [key: string]: unknown;
}

/**
 * The buyer closed or cancelled the window: the PG's `PAY_PROCESS_CANCELED`, or its words (`[결제포기] 사용자가
 * 결제를 취소하셨습니다`, KG이니시스 `사용자가 결제를 취소하였습니다`), as in V1. A decline is not a close.
 */
const CLOSED = /^\[결제포기\]|사용자가 결제를 취소|^PAY_PROCESS_CANCELED$/;

/** A non-empty string or a number, as text. */
const text = (value: unknown) => ((typeof value === 'string' && value) || typeof value === 'number' ? String(value) : undefined);

export const readPaymentAnswer = (fields: Record<string, unknown>): Answer => {
  const [paymentId, txId, code, message, pgCode, pgMessage] = ['paymentId', 'txId', 'code', 'message', 'pgCode', 'pgMessage'].map((key) => text(fields[key]));
  // Only the ids there are: a detail has no `txId` key rather than an undefined one.
  const answer: Answer = { ...(paymentId && { paymentId }), ...(txId && { txId }) };
  return fields.code != null
    ? {
        ...answer,
        code: code ?? 'payment_failed',
        message: message ?? code ?? 'payment_failed',
        ...(pgCode && { pgCode }),
        ...(pgMessage && { pgMessage }),
        cancelled: [code, message, pgCode, pgMessage].some((said) => CLOSED.test(said!)),
      }
    : answer;
};
