/**
 * Everything the sandbox remembers, in memory and bounded: payments, prepared amounts, the access token,
 * scripted payment-window choices, injected faults, the calls received and the webhooks sent.
 */
import { randomBytes } from 'node:crypto';
import { BoundedMap, RingLog } from './bounded.js';
import type { CallRecord, Fault, SandboxConfig, WebhookDelivery, WindowScript } from './control-api.js';
import { type Credentials, DEFAULT_CREDENTIALS } from './credentials.js';
import type { PaymentRecord } from './v1/records.js';

export interface SandboxOptions {
  /** REST API key the sandbox accepts. Default `DEFAULT_CREDENTIALS.apiKey` (`sandbox_api_key`). */
  apiKey?: string;
  /** REST API secret the sandbox accepts. Default `DEFAULT_CREDENTIALS.apiSecret` (`sandbox_api_secret`). */
  apiSecret?: string;
  /** How many payments (and prepared amounts) are kept before the oldest are forgotten. Default 10,000. */
  maxPayments?: number;
  /** How many calls and webhook deliveries the logs keep. Default 1,000. */
  maxLogEntries?: number;
  /** Where webhooks go when a payment names no `notice_url` (the console's notification URL). */
  noticeUrl?: string;
  /** Silence the start-up banner and per-request warnings. */
  quiet?: boolean;
}

export const TOKEN_LIFETIME_S = 30 * 60;
export const TOKEN_EXTENSION_WINDOW_S = 60;
export const TOKEN_EXTENSION_S = 5 * 60;

export class SandboxState {
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly payments: BoundedMap<string, PaymentRecord>;
  /** merchant_uid → imp_uids, kept in step with `payments`. */
  private readonly byMerchantUid = new Map<string, Set<string>>();
  readonly prepared: BoundedMap<string, { merchant_uid: string; amount: number; currency: string | null }>;
  token: { access_token: string; expired_at: number } | null = null;
  scripts: WindowScript[] = [];
  faults: Fault[] = [];
  readonly calls: RingLog<CallRecord>;
  readonly callCounts = new Map<string, number>();
  readonly webhooks: RingLog<WebhookDelivery>;
  config: SandboxConfig;
  private clockOffsetS = 0;
  private nextId = 1;
  private readonly defaults: SandboxConfig;

  constructor(options: SandboxOptions = {}) {
    this.apiKey = options.apiKey ?? DEFAULT_CREDENTIALS.apiKey;
    this.apiSecret = options.apiSecret ?? DEFAULT_CREDENTIALS.apiSecret;
    const maxPayments = options.maxPayments ?? 10_000;
    const maxLog = options.maxLogEntries ?? 1_000;
    this.payments = new BoundedMap(maxPayments, (impUid, record) => this.unindex(record.payment.merchant_uid, impUid));
    this.prepared = new BoundedMap(maxPayments);
    this.calls = new RingLog(maxLog);
    this.webhooks = new RingLog(maxLog);
    this.defaults = {
      notice_url: options.noticeUrl ?? null,
      webhook_content_type: 'json',
      webhook_delay_ms: 0,
      webhook_retries: 0,
      webhook_retry_interval_ms: 60_000,
    };
    this.config = { ...this.defaults };
  }

  /** The key and secret its REST API accepts (for `POST /users/getToken`). */
  get credentials(): Credentials {
    return { apiKey: this.apiKey, apiSecret: this.apiSecret };
  }

  /** PortOne's clock in UNIX seconds; tests move it with `advanceClock`. */
  now(): number {
    return Math.floor(Date.now() / 1000) + this.clockOffsetS;
  }

  advanceClock(seconds: number): void {
    this.clockOffsetS += seconds;
  }

  /** Back to the real time (a reset of either protocol's control API: the clock is one). */
  resetClock(): void {
    this.clockOffsetS = 0;
  }

  id(): number {
    return this.nextId++;
  }

  /**
   * PortOne's token rules: the same token until it expires; asked for within its last minute, it is
   * extended by five minutes; after expiry a new one lives thirty minutes.
   */
  issueToken(): { access_token: string; now: number; expired_at: number } {
    const now = this.now();
    if (!this.token || this.token.expired_at <= now) {
      this.token = { access_token: randomBytes(20).toString('hex'), expired_at: now + TOKEN_LIFETIME_S };
    } else if (this.token.expired_at - now <= TOKEN_EXTENSION_WINDOW_S) {
      this.token.expired_at += TOKEN_EXTENSION_S;
    }
    return { access_token: this.token.access_token, now, expired_at: this.token.expired_at };
  }

  isValidToken(token: string | null): boolean {
    return token !== null && this.token !== null && token === this.token.access_token && this.token.expired_at > this.now();
  }

  expireToken(): void {
    if (this.token) this.token.expired_at = this.now() - 1;
  }

  addPayment(record: PaymentRecord): void {
    const { imp_uid, merchant_uid } = record.payment;
    this.payments.set(imp_uid, record);
    let ids = this.byMerchantUid.get(merchant_uid);
    if (!ids) this.byMerchantUid.set(merchant_uid, (ids = new Set()));
    ids.add(imp_uid);
  }

  /** Every payment made for `merchant_uid`, in the order they were made (oldest first). */
  paymentsInOrder(merchantUid: string): PaymentRecord[] {
    const ids = this.byMerchantUid.get(merchantUid);
    if (!ids) return [];
    return [...ids].map((id) => this.payments.get(id)!);
  }

  /** Every payment made for `merchant_uid`, newest `started_at` first (PortOne's `-started`). */
  paymentsFor(merchantUid: string): PaymentRecord[] {
    return this.paymentsInOrder(merchantUid)
      .reverse()
      .sort((a, b) => b.payment.started_at - a.payment.started_at);
  }

  private unindex(merchantUid: string, impUid: string): void {
    const ids = this.byMerchantUid.get(merchantUid);
    ids?.delete(impUid);
    if (ids?.size === 0) this.byMerchantUid.delete(merchantUid);
  }

  /** The first queued script for this merchant_uid (or for any), removed from the queue. */
  takeScript(merchantUid: string): WindowScript | undefined {
    const index = this.scripts.findIndex((s) => s.merchant_uid === null || s.merchant_uid === merchantUid);
    return index === -1 ? undefined : this.scripts.splice(index, 1)[0];
  }

  /** Whether a script waits for this merchant_uid, without taking it (the SDK asks before opening). */
  peekScript(merchantUid: string): WindowScript | undefined {
    return this.scripts.find((s) => s.merchant_uid === null || s.merchant_uid === merchantUid);
  }

  countCall(route: string): void {
    this.callCounts.set(route, (this.callCounts.get(route) ?? 0) + 1);
  }

  setConfig(patch: Partial<SandboxConfig>): void {
    this.config = { ...this.config, ...patch };
  }

  /** Change what `reset` goes back to, and the current config with it (the in-process sandbox's notification URL). */
  setDefaults(patch: Partial<SandboxConfig>): void {
    Object.assign(this.defaults, patch);
    this.setConfig(patch);
  }

  /** Forget everything: payments, prepared amounts, token, scripts, faults, logs, clock and config. */
  reset(): void {
    this.payments.clear();
    this.byMerchantUid.clear();
    this.prepared.clear();
    this.token = null;
    this.scripts = [];
    this.faults = [];
    this.calls.clear();
    this.callCounts.clear();
    this.webhooks.clear();
    this.clockOffsetS = 0;
    this.config = { ...this.defaults };
  }
}
