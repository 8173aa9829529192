/**
 * Everything the sandbox's V2 side remembers, in memory and bounded: payments by paymentId, pre-registrations,
 * idempotency keys, window scripts, faults, the calls received and the webhooks sent. The clock and the id counter are
 * the V1 state's (one sandbox, one time).
 */
import { BoundedMap, RingLog } from '../bounded.js';
import type { CallRecord, Fault } from '../control-api.js';
import { DEFAULT_V2_CREDENTIALS, type V2Credentials } from '../credentials.js';
import type { SandboxState } from '../state.js';
import type { PreRegistration, V2Config, V2WebhookDelivery, V2WindowScript } from './control-api.js';
import type { IdempotencyEntry } from './idempotency.js';
import type { V2PaymentRecord } from './records.js';

export interface V2Options {
  /** The V2 API secret accepted (`Authorization: PortOne <secret>`). Default `DEFAULT_V2_CREDENTIALS.apiSecret`. */
  v2ApiSecret?: string;
  /** The Standard Webhooks secret (`whsec_…`) V2 webhooks are signed with. Default `DEFAULT_V2_CREDENTIALS.webhookSecret`. */
  v2WebhookSecret?: string;
  /** The store the sandbox's V2 payments belong to. Default `store-sandbox`. */
  v2StoreId?: string;
  /** The console's V2 webhook URL, used when a payment names no `noticeUrls`. */
  v2NoticeUrl?: string;
  maxPayments?: number;
  maxLogEntries?: number;
}

export class V2State {
  readonly credentials: V2Credentials;
  readonly payments: BoundedMap<string, V2PaymentRecord>;
  readonly preRegistered: BoundedMap<string, PreRegistration>;
  readonly idempotency: BoundedMap<string, IdempotencyEntry>;
  scripts: V2WindowScript[] = [];
  faults: Fault[] = [];
  readonly calls: RingLog<CallRecord>;
  readonly callCounts = new Map<string, number>();
  readonly webhooks: RingLog<V2WebhookDelivery>;
  config: V2Config;
  private readonly defaults: V2Config;

  constructor(
    private readonly shared: SandboxState,
    options: V2Options = {},
  ) {
    this.credentials = {
      apiSecret: options.v2ApiSecret ?? DEFAULT_V2_CREDENTIALS.apiSecret,
      storeId: options.v2StoreId ?? DEFAULT_V2_CREDENTIALS.storeId,
      webhookSecret: options.v2WebhookSecret ?? DEFAULT_V2_CREDENTIALS.webhookSecret,
    };
    const maxPayments = options.maxPayments ?? 10_000;
    const maxLog = options.maxLogEntries ?? 1_000;
    this.payments = new BoundedMap(maxPayments);
    this.preRegistered = new BoundedMap(maxPayments);
    this.idempotency = new BoundedMap(maxPayments);
    this.calls = new RingLog(maxLog);
    this.webhooks = new RingLog(maxLog);
    this.defaults = { noticeUrl: options.v2NoticeUrl ?? null, webhookDelayMs: 0, webhookRetries: 0, webhookRetryIntervalMs: 60_000 };
    this.config = { ...this.defaults };
  }

  /** PortOne's clock in UNIX seconds (the sandbox's one clock). */
  now(): number {
    return this.shared.now();
  }

  advanceClock(seconds: number): void {
    this.shared.advanceClock(seconds);
  }

  id(): number {
    return this.shared.id();
  }

  /** V2 authenticates every call with the API secret: there is no token to expire (faults.ts asks). */
  expireToken(): void {}

  countCall(route: string): void {
    this.callCounts.set(route, (this.callCounts.get(route) ?? 0) + 1);
  }

  /** The first queued script for this paymentId (or for any), removed from the queue. */
  takeScript(paymentId: string): V2WindowScript | undefined {
    const index = this.scripts.findIndex((s) => s.paymentId === null || s.paymentId === paymentId);
    return index === -1 ? undefined : this.scripts.splice(index, 1)[0];
  }

  peekScript(paymentId: string): V2WindowScript | undefined {
    return this.scripts.find((s) => s.paymentId === null || s.paymentId === paymentId);
  }

  setConfig(patch: Partial<V2Config>): void {
    this.config = { ...this.config, ...patch };
  }

  /** The console's webhook URL: kept across a reset (the in-process sandbox points it at its verifier once). */
  setNoticeUrl(url: string | null): void {
    this.defaults.noticeUrl = url;
    this.config.noticeUrl = url;
  }

  /** Forget every V2 payment, pre-registration, key, script, fault and log; config back to its defaults; the clock back to now. */
  reset(): void {
    this.payments.clear();
    this.preRegistered.clear();
    this.idempotency.clear();
    this.scripts = [];
    this.faults = [];
    this.calls.clear();
    this.callCounts.clear();
    this.webhooks.clear();
    this.config = { ...this.defaults };
    this.shared.resetClock();
  }
}
