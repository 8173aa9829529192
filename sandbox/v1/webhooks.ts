/**
 * PortOne's V1 notification: a POST of `{imp_uid, merchant_uid, status[, cancellation_id]}` to the
 * payment's `notice_url` (which replaces the console URL), sent once unless retries are enabled, and
 * then retried on network errors and 5xx only. Nothing signs it: receivers must re-read the payment.
 */
import type { SandboxState } from '../state.js';
import type { PaymentRecord } from './records.js';

const CONNECT_AND_READ_TIMEOUT_MS = 30_000;

export class WebhookSender {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private closed = false;
  /** Bumped by cancelPending: a delivery started in an older generation neither logs nor retries. */
  private generation = 0;

  constructor(private readonly state: SandboxState) {}

  /** Queue the notification for a status change; returns at once (PortOne does not wait either). */
  notify(record: PaymentRecord, cancellationId?: string): void {
    const urls = record.noticeUrls.length > 0 ? record.noticeUrls : this.state.config.notice_url ? [this.state.config.notice_url] : [];
    if (urls.length === 0) return;
    record.usedWebhooks = true;
    const { imp_uid, merchant_uid, status } = record.payment;
    const body: Record<string, string> = { imp_uid, merchant_uid, status };
    if (cancellationId) body.cancellation_id = cancellationId;
    for (const url of urls) this.schedule(url, body, 1, this.state.config.webhook_delay_ms);
  }

  /** Stop every pending delivery (sandbox shutdown). */
  close(): void {
    this.closed = true;
    this.cancelPending();
  }

  /**
   * Drop every delivery queued, waiting for a retry or in flight, without logging them: a reset sandbox
   * must not deliver (or log) a webhook of a payment it has forgotten into the next test.
   */
  cancelPending(): void {
    this.generation++;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
  }

  private schedule(url: string, body: Record<string, string>, attempt: number, delayMs: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.deliver(url, body, attempt);
    }, delayMs);
    this.timers.add(timer);
  }

  private async deliver(url: string, body: Record<string, string>, attempt: number): Promise<void> {
    const generation = this.generation;
    const { webhook_content_type, webhook_retries, webhook_retry_interval_ms } = this.state.config;
    const contentType = webhook_content_type === 'form' ? 'application/x-www-form-urlencoded' : 'application/json';
    const payload = contentType === 'application/json' ? JSON.stringify(body) : new URLSearchParams(body).toString();
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), CONNECT_AND_READ_TIMEOUT_MS);
    this.inFlight.add(controller);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body: payload, signal: controller.signal });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch (e) {
      error = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(controller);
    }
    if (generation !== this.generation) return;
    this.state.webhooks.push({ seq: this.state.webhooks.total + 1, at: this.state.now(), url, body, content_type: contentType, attempt, status, error });
    const failed = status === null || status >= 500;
    if (failed && attempt <= webhook_retries) this.schedule(url, body, attempt + 1, webhook_retry_interval_ms);
  }
}
