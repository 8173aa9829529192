/**
 * PortOne's V1 notification: a POST of `{imp_uid, merchant_uid, status[, cancellation_id]}` to the
 * payment's `notice_url` (which replaces the console URL), sent once unless retries are enabled, and
 * then retried on network errors and 5xx only. Nothing signs it: receivers must re-read the payment.
 * Delivery itself (timeouts, retries, reset) is the shared queue's (../webhook-queue.ts).
 */
import type { SandboxState } from '../state.js';
import { WebhookQueue } from '../webhook-queue.js';
import type { PaymentRecord } from './records.js';

type ContentType = 'application/json' | 'application/x-www-form-urlencoded';

export class WebhookSender {
  private readonly queue: WebhookQueue<Record<string, string>>;

  constructor(private readonly state: SandboxState) {
    this.queue = new WebhookQueue<Record<string, string>>({
      // The content type is read per attempt, as the config says when the attempt leaves.
      build: (body) => {
        const contentType: ContentType = state.config.webhook_content_type === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
        return { headers: { 'content-type': contentType }, payload: contentType === 'application/json' ? JSON.stringify(body) : new URLSearchParams(body).toString() };
      },
      record: ({ event, url, attempt, request, status, error }) => {
        const content_type = request.headers['content-type'] as ContentType;
        state.webhooks.push({ seq: state.webhooks.total + 1, at: state.now(), url, body: event, content_type, attempt, status, error });
      },
      retries: () => ({ retries: state.config.webhook_retries, intervalMs: state.config.webhook_retry_interval_ms }),
      shouldRetry: (status) => status === null || status >= 500,
    });
  }

  /** Queue the notification for a status change; returns at once (PortOne does not wait either). */
  notify(record: PaymentRecord, cancellationId?: string): void {
    const urls = record.noticeUrls.length > 0 ? record.noticeUrls : this.state.config.notice_url ? [this.state.config.notice_url] : [];
    if (urls.length === 0) return;
    record.usedWebhooks = true;
    const { imp_uid, merchant_uid, status } = record.payment;
    const body: Record<string, string> = { imp_uid, merchant_uid, status };
    if (cancellationId) body.cancellation_id = cancellationId;
    for (const url of urls) this.queue.send(url, body, this.state.config.webhook_delay_ms);
  }

  /** Stop every pending delivery (sandbox shutdown). */
  close(): void {
    this.queue.close();
  }

  /**
   * Drop every delivery queued, waiting for a retry or in flight, without logging them: a reset sandbox
   * must not deliver (or log) a webhook of a payment it has forgotten into the next test.
   */
  cancelPending(): void {
    this.queue.cancelPending();
  }
}
