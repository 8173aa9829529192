/**
 * PortOne V2's webhooks (`2024-04-25` bodies): `{type, timestamp, data: {storeId, paymentId, transactionId,
 * cancellationId?}}` POSTed as JSON to the payment's `noticeUrls`, else the console's URL, signed as Standard
 * Webhooks: `webhook-id` (the same on every retry of one event), `webhook-timestamp` (UNIX seconds of the attempt),
 * `webhook-signature: v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>` with key = base64-decoded secret
 * after `whsec_`. The body's `timestamp` is the event's and stays the same across retries; each attempt is signed anew,
 * so a retry minutes later is still within a receiver's ±5 min tolerance. Retried on a network error or any non-2xx.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { WebhookQueue } from '../webhook-queue.js';
import type { V2WebhookBody } from './control-api.js';
import { isoTime } from './payment.js';
import type { V2PaymentRecord } from './records.js';
import type { V2State } from './state.js';

export type V2WebhookType =
  | 'Transaction.Paid'
  | 'Transaction.VirtualAccountIssued'
  | 'Transaction.Failed'
  | 'Transaction.Cancelled'
  | 'Transaction.PartialCancelled'
  | 'Transaction.PayPending';

interface V2Event {
  webhookId: string;
  body: V2WebhookBody;
  payload: string;
}

/** `v1,<signature>` of Standard Webhooks. */
export function signV2Webhook(secret: string, webhookId: string, timestamp: number, payload: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${webhookId}.${timestamp}.${payload}`).digest('base64')}`;
}

export class V2Webhooks {
  private readonly queue: WebhookQueue<V2Event>;

  constructor(private readonly state: V2State) {
    this.queue = new WebhookQueue<V2Event>({
      build: (event) => {
        const timestamp = state.now();
        return {
          payload: event.payload,
          headers: {
            'content-type': 'application/json',
            'webhook-id': event.webhookId,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': signV2Webhook(state.credentials.webhookSecret, event.webhookId, timestamp, event.payload),
          },
        };
      },
      record: ({ event, url, attempt, request, status, error }) => {
        const headers = request.headers as { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string };
        state.webhooks.push({
          seq: state.webhooks.total + 1,
          at: state.now(),
          url,
          webhookId: event.webhookId,
          type: event.body.type,
          body: event.body,
          headers: { 'webhook-id': headers['webhook-id'], 'webhook-timestamp': headers['webhook-timestamp'], 'webhook-signature': headers['webhook-signature'] },
          attempt,
          status,
          error,
        });
      },
      retries: () => ({ retries: state.config.webhookRetries, intervalMs: state.config.webhookRetryIntervalMs }),
      shouldRetry: (status) => status === null || status < 200 || status > 299,
    });
  }

  /** Queue the webhook of a status change to every URL it goes to; returns at once. */
  notify(record: V2PaymentRecord, type: V2WebhookType, cancellationId?: string): void {
    const urls = record.noticeUrls.length > 0 ? record.noticeUrls : this.state.config.noticeUrl ? [this.state.config.noticeUrl] : [];
    if (urls.length === 0) return;
    const { storeId, id: paymentId, transactionId } = record.payment;
    const body: V2WebhookBody = { type, timestamp: isoTime(this.state.now()), data: { storeId, paymentId, transactionId, ...(cancellationId ? { cancellationId } : {}) } };
    const payload = JSON.stringify(body);
    // One event per URL: each receiver gets its own webhook-id, kept across that receiver's retries.
    for (const url of urls) this.queue.send(url, { webhookId: `msg_${randomBytes(16).toString('base64url')}`, body, payload }, this.state.config.webhookDelayMs);
  }

  close(): void {
    this.queue.close();
  }

  cancelPending(): void {
    this.queue.cancelPending();
  }
}
