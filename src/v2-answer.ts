/**
 * What PortOne V2 said: `PortOne.requestPayment`'s response, or the query of a landing on `redirectUrl` (the same
 * keys). A failure when it carries `code` (PortOne's own test: `response.code !== undefined`), with `message` and
 * the PG's `pgCode` / `pgMessage` when given; anything else is only a claim for the verify endpoint to settle.
 */
import { V2_LANDING } from './landing.js';
import type { Answer } from './protocol.js';
import { CLOSED, text } from './sdk-answer.js';

export function readPaymentAnswer(fields: Record<string, unknown>): Answer {
  // A landing's parameters are the response's keys.
  const [paymentId, txId, code, message, pgCode, pgMessage] = V2_LANDING.map((key) => text(fields[key]));
  // Only the ids there are: a detail has no `txId` key rather than an undefined one.
  const answer: Answer = { ...(paymentId && { paymentId }), ...(txId && { txId }) };
  return fields.code != null
    ? {
        ...answer,
        code: code ?? 'payment_failed',
        message: message ?? code ?? 'payment_failed',
        ...(pgCode && { pgCode }),
        ...(pgMessage && { pgMessage }),
        // The buyer closed or cancelled the window: the PG's `PAY_PROCESS_CANCELED`, or its words, as in V1. A decline is not a close.
        cancelled: [code, message, pgCode, pgMessage].some((said) => said === 'PAY_PROCESS_CANCELED' || CLOSED.test(said!)),
      }
    : answer;
}
