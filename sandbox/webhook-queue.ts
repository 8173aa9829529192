/**
 * Webhook delivery, whatever the protocol: a POST per URL after an optional delay, a 30 s connect-and-read timeout,
 * retries when the protocol's rule says so, every attempt logged by the protocol, and everything pending dropped at
 * once on reset or shutdown. V1 (v1/webhooks.ts) and V2 (v2/webhooks.ts) say what they send and when they retry.
 */

const CONNECT_AND_READ_TIMEOUT_MS = 30_000;

/** One HTTP request of a delivery: built per attempt (V2 signs each attempt with its own timestamp). */
export interface OutgoingRequest {
  headers: Record<string, string>;
  payload: string;
}

export interface DeliveryResult<E> {
  event: E;
  url: string;
  attempt: number;
  request: OutgoingRequest;
  /** HTTP status answered, or null when the request failed (see `error`). */
  status: number | null;
  error: string | null;
}

export interface WebhookQueueOptions<E> {
  build(event: E, attempt: number): OutgoingRequest;
  /** Called after each attempt (not for attempts dropped by `cancelPending`). */
  record(result: DeliveryResult<E>): void;
  /** How many retries after the first attempt, how long apart, and which results are retried. */
  retries(): { retries: number; intervalMs: number };
  shouldRetry(status: number | null): boolean;
}

export class WebhookQueue<E> {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private closed = false;
  /** Bumped by cancelPending: a delivery started in an older generation neither logs nor retries. */
  private generation = 0;

  constructor(private readonly options: WebhookQueueOptions<E>) {}

  /** Queue the first attempt to `url`; returns at once (PortOne does not wait either). */
  send(url: string, event: E, delayMs: number): void {
    this.schedule(url, event, 1, delayMs);
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

  private schedule(url: string, event: E, attempt: number, delayMs: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.deliver(url, event, attempt);
    }, delayMs);
    this.timers.add(timer);
  }

  private async deliver(url: string, event: E, attempt: number): Promise<void> {
    const generation = this.generation;
    const { retries, intervalMs } = this.options.retries();
    const request = this.options.build(event, attempt);
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), CONNECT_AND_READ_TIMEOUT_MS);
    this.inFlight.add(controller);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.payload, signal: controller.signal });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch (e) {
      error = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(controller);
    }
    if (generation !== this.generation) return;
    this.options.record({ event, url, attempt, request, status, error });
    if (this.options.shouldRetry(status) && attempt <= retries) this.schedule(url, event, attempt + 1, intervalMs);
  }
}
