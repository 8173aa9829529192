// Lit's template engine (`lit-html`) on a plain custom element, not LitElement: it keeps the whole bundle, Lit
// included, inside its 9 kB budget (scripts/size.mjs).
import { html, render } from 'lit/html.js';
// The modules below are side-effect free; their order is the bundle's, and this one compresses best (measured).
import { currentImp, loadSdk, pageNonce, type SdkFailure } from './sdk.js';
import type { PaymentFailureDetail, PaymentSuccessDetail, Via } from './events.js';
import { styles } from './styles.js';
import { type LandingFields, offerLanding, rememberPayer, withoutLanding } from './landing.js';
import { type AttributeValue, generateMerchantUid, parseCheckout, readAmount } from './params.js';
import { attributeNames, type AttributeProperties, defineAttributeProperties, propertyOf, usesV2 } from './attributes.js';
import { httpFailure, post, prepare, verify } from './merchant-endpoints.js';
import { failureText, formatAmount, resolveLang, texts } from './i18n.js';
import { readSdkAnswer, type SdkAnswer } from './sdk-answer.js';
import type { V2Host } from './v2.js';

export type CheckoutState = 'idle' | 'loading' | 'paying' | 'verifying' | 'success' | 'failure';

/** A failure as the flow builds it: `cancelled` and `version` are settled once, when it is reported. */
type Failure = { stage: PaymentFailureDetail['stage']; code: string; message: string; retryable: boolean; cancelled?: boolean; [more: string]: unknown };
/** A success as the flow builds it (`version` added when it is reported). */
type Success = Record<string, unknown>;

const BUSY: readonly CheckoutState[] = ['loading', 'paying', 'verifying'];

/**
 * PortOne V2 (`store-id`) is a chunk of its own, dist/portone-checkout-v2.js beside this bundle (v2.ts): imported
 * only by an element with `store-id`, kept once loaded (so that a warm element calls the SDK inside the click).
 */
let v2: typeof import('./v2.js') | undefined;
/** Import the V2 chunk; rejects with a stage `sdk` failure, retryable. */
const loadV2 = () =>
  import('./v2.js').then(
    (module) => (v2 = module),
    (error) => {
      throw { stage: 'sdk', code: 'sdk_error', message: `The element's V2 part did not load: ${error}`, retryable: true };
    },
  );

/**
 * Where there is no DOM (server-side rendering: Next.js, Remix, Astro), importing must not throw: the class is then
 * built on a stand-in and never registered (portone-checkout.ts defines the element only where `customElements` exists).
 */
const Base = (globalThis.HTMLElement ?? class {}) as typeof HTMLElement;

/** Each attribute of the table (attributes.ts) is also a camelCase property: `buyer-tel` → `buyerTel`. */
export interface PortoneCheckoutElement extends AttributeProperties {}

/**
 * A PortOne payment button: loads PortOne's SDK itself (iamport.js in V1; with `store-id`, V2's browser-sdk.js),
 * opens the payment window, has the merchant's server verify the payment, and only then reports `payment-success`
 * or `payment-failure` (each detail's `version` says `v1` or `v2`).
 *
 * Every `IMP.request_pay` parameter is an attribute named by its snake_case name with `_` → `-`
 * (`buyer-tel`, `m-redirect-url`, `vbank-due`, `card-quota="2,3,6"`, `custom-data` as JSON), and each
 * attribute is also a camelCase property that reads and writes the attribute. The `params` property is
 * merged last. `items` (JSON, what is bought) goes only to `prepare-url`, which answers the price to pay.
 *
 * With `store-id` the element pays through PortOne V2 (`PortOne.requestPayment`): the same attributes map to V2's
 * fields (`amount` → `totalAmount` in minor units, `name` → `orderName`, `buyer-*` → `customer`, …), and
 * `payment-id`, `channel-group-id`, `easy-pay-provider` and `redirect-url` are V2's own.
 *
 * @summary A one-tag PortOne (V1 and V2) checkout button with server-side verification.
 * @tag portone-checkout
 *
 * @event {CustomEvent<PaymentSuccessDetail>} payment-success - The verify endpoint answered 2xx with status `paid` (or `ready` for an issued virtual account).
 * @event {CustomEvent<PaymentFailureDetail>} payment-failure - The payment failed at stage `config`, `sdk`, `prepare`, `payment` or `verify`. `cancelled` is true when the buyer closed or cancelled the payment window (else false). At stage `prepare` with code `price_changed` (prepare-url refused the page's price), the detail also carries the server's `amount` and `currency`.
 *
 * @slot - The button's label; replaces the default "₩14,000 결제하기" / "Pay ₩14,000".
 * @csspart button - The payment button.
 * @csspart status - The visually hidden live region that announces progress and results.
 *
 * @cssprop [--portone-checkout-background=#1f5eff] - Button background.
 * @cssprop [--portone-checkout-color=#fff] - Button text color.
 * @cssprop [--portone-checkout-border=none] - Button border.
 * @cssprop [--portone-checkout-radius=8px] - Button corner radius.
 * @cssprop [--portone-checkout-padding=0.75em 1.25em] - Button padding.
 * @cssprop [--portone-checkout-font=inherit] - Button font.
 * @cssprop [--portone-checkout-focus-ring=3px solid #ffb300] - Outline of the focused button.
 * @cssprop [--portone-checkout-disabled-opacity=0.55] - Opacity while disabled or busy.
 */
export class PortoneCheckoutElement extends Base {
  // A getter, not a static field: with this compiler setting that would be a static block, too new for Safari 15.
  static get observedAttributes(): string[] {
    return attributeNames();
  }

  /** Extra `request_pay` parameters, merged last (anything the attribute rule does not cover). */
  declare params?: Record<string, unknown>;
  /** How long iamport.js may take to load before the attempt fails with `sdk_timeout` (ms). */
  sdkTimeout = 15_000;

  #state: CheckoutState = 'idle';
  /** What the live region says: progress, then the result. */
  #announcement = '';
  #attempt = 0;
  #controller?: AbortController;
  #waiters: Array<(detail: Success | Failure) => void> = [];
  /** A payment whose verification failed in a way worth retrying: the next click verifies it again. */
  #unverified?: { impUid: string; merchantUid: string; via: Via };

  /** The host delegates focus to its button (a click on the host, `el.focus()`, a focus given back to the host). */
  #root = this.attachShadow({ mode: 'open', delegatesFocus: true });

  constructor() {
    super();
    styles(this.#root);
  }

  /** Load iamport.js in idle time once the attributes are valid, so a click opens the window at once. */
  #warmUp(): void {
    const warm = () => {
      const config = this.isConnected && this.#parse();
      if (typeof config === 'object') this.#sdk(config.sdkSrc).catch(() => {});
    };
    if ('requestIdleCallback' in window) requestIdleCallback(warm, { timeout: 2000 });
    else setTimeout(warm, 200);
  }

  #sdk(src: string) {
    return loadSdk(src, this.sdkTimeout, this.nonce || pageNonce());
  }

  /** `idle`, `loading`, `paying`, `verifying`, `success` or `failure`; reflected as the `state` attribute. */
  get state(): CheckoutState {
    return this.#state;
  }

  /** What the SDK said is a failure (stage `payment`), or a claim that the verify endpoint settles. */
  async #verify(answer: SdkAnswer, via: Via, current: () => boolean, signal: AbortSignal): Promise<void> {
    const { impUid, merchantUid } = answer;
    if (answer.code || !impUid || !merchantUid) {
      this.#unverified = undefined;
      return void (current() && this.#settle({ stage: 'payment', code: 'payment_failed', message: 'iamport.js answered without imp_uid.', ...answer, retryable: false, via }));
    }
    this.#setState('verifying');
    const verified = await verify(this.verifyUrl || '/payments/complete', { imp_uid: impUid, merchant_uid: merchantUid }, signal);
    if (!current()) return;
    const failed = 'code' in verified;
    this.#unverified = failed && verified.retryable ? { impUid, merchantUid, via } : undefined;
    this.#settle(failed ? { stage: 'verify', ...verified, impUid, merchantUid, via } : { impUid, merchantUid, ...verified, via });
  }

  /** Called by the landing module when this element is the one to verify the page's landing. */
  claimLanding(fields: LandingFields): void {
    void this.#run(fields);
  }

  connectedCallback(): void {
    this.#render();
    // A V2 element: its chunk offers it the page's landing (`paymentId`) and warms its SDK up (v2.ts).
    if (usesV2(this)) loadV2().then((module) => module.connected(this, this.#host), () => {});
    else {
      offerLanding(this);
      this.#warmUp();
    }
  }

  #parse() {
    // Each attribute as its property reads it.
    return parseCheckout((a) => (this as unknown as Record<string, AttributeValue>)[propertyOf(a)], this.params);
  }

  #abandon(): void {
    this.#attempt++;
    this.#controller?.abort();
    this.#setState('idle');
    this.#settle({ stage: 'config', code: 'aborted', message: 'Attributes changed before the payment window opened.', retryable: false }, false);
  }

  attributeChangedCallback(_name: string, old: string | null, value: string | null): void {
    // A cart that changes the amount while the attempt is still loading makes that attempt stale (a template
    // writing the same value again does not).
    if (old !== value && this.#state === 'loading') this.#abandon();
    this.#render();
  }

  disconnectedCallback(): void {
    // Removed before the window opens: nothing is at stake, forget the attempt (once paying, a result must still
    // arrive). Checked a microtask later, so that moving the element in the DOM is not a removal.
    queueMicrotask(() => !this.isConnected && this.#state === 'loading' && this.#abandon());
  }

  // Arrow functions (as #settle): lent to the V2 chunk as they are.
  #setState = (state: CheckoutState, announcement?: string | false): void => {
    this.#state = state;
    // A failure's text is never empty: no announcement is `undefined` or `false`.
    this.#announcement = announcement || texts(resolveLang(this.lang))[state as Exclude<CheckoutState, 'failure'>];
    this.#render();
  };

  /** The outcome: the event (unless an abandoned attempt, which only `pay()` hears of), then every `pay()` waiting. */
  #settle = (detail: Success | Failure, dispatch = true): void => {
    const failed = 'stage' in detail;
    // Always a boolean, on every failure at every stage (SPEC §3); every detail says its PortOne (SPEC §8.1): the
    // element's (attributes that change mid-attempt abandon it while loading; a later change is the page's doing).
    if (failed) detail.cancelled = !!detail.cancelled;
    detail.version = `v${usesV2(this) ? 2 : 1}`;
    if (dispatch) {
      this.#setState(failed ? 'failure' : 'success', failed && failureText(detail as unknown as PaymentFailureDetail, resolveLang(this.lang)));
      this.dispatchEvent(new CustomEvent(failed ? 'payment-failure' : 'payment-success', { detail, bubbles: true, composed: true }));
    }
    this.#waiters.splice(0).map((waiter) => waiter(detail));
  };

  /** What the V2 chunk uses of the element: its own helpers, lent by reference (a field after the two it lends: fields are set in order). */
  #host: V2Host = { parse: parseCheckout, state: this.#setState, settle: this.#settle, post, http: httpFailure };

  /** One attempt: a new payment, a landing to verify, or a verification to retry. Late results of an old attempt are dropped. */
  async #run(landing?: LandingFields): Promise<void> {
    const attempt = ++this.#attempt;
    this.#controller?.abort();
    const { signal } = (this.#controller = new AbortController());
    const current = () => attempt === this.#attempt;
    const fail = (detail: Failure) => current() && this.#settle(detail);
    try {
      // V2: the chunk's flow, at once when it is loaded (imported when the element connected, so usually no await).
      if (usesV2(this)) {
        // A failure to load the chunk is this attempt's (stage `sdk`, retryable: caught below).
        return await (v2 ?? (await loadV2())).run(this, this.#host, current, signal, landing);
      }
      if (landing) return await this.#verify(readSdkAnswer(landing), 'redirect', current, signal);
      if (this.#unverified) return await this.#verify(this.#unverified, this.#unverified.via, current, signal);
      const config = this.#parse();
      if (typeof config === 'string') return void fail({ stage: 'config', code: 'invalid_attribute', message: config, retryable: false });
      const { merchant, prepareUrl, request, items, sdkSrc } = config;
      // `loading` only when there is something to wait for: a warm element goes straight to `paying`.
      if (prepareUrl || !currentImp()) this.#setState('loading');
      const sdk = this.#sdk(sdkSrc);
      sdk.catch(() => {});
      if (prepareUrl) {
        // What would be paid (`params` included), the currency as ISO 4217 writes it whatever the page's case.
        const currency = String(request.currency || 'KRW').toUpperCase();
        const prepared = await prepare(prepareUrl, { amount: request.amount as number, currency, name: request.name, merchant_uid: request.merchant_uid, items }, signal);
        if (!current()) return;
        if ('code' in prepared) return void fail({ stage: 'prepare', ...prepared });
        // Pay with what the server answered: merchant_uid, amount, and currency when it gave one.
        Object.assign(request, prepared);
      }
      const merchantUid = (request.merchant_uid ??= generateMerchantUid()) as string;
      request.m_redirect_url ??= withoutLanding(location.href);
      // Warm (the usual case): no await at all, so request_pay runs inside the click, as on a hand-written page. A
      // failed load is this attempt's failure (stage `sdk`), with the order id, thrown to the catch below.
      const IMP =
        currentImp() ??
        (await sdk.catch((failure: SdkFailure) => {
          throw { ...failure, merchantUid };
        }));
      if (!current()) return;
      // Always init first: without it iamport.js only alerts and never calls back.
      IMP.init(merchant);
      const focused = this.matches(':focus-within');
      const rsp = await new Promise<Record<string, unknown>>((resolve) => {
        IMP.request_pay(request, (r) => resolve(r && typeof r === 'object' ? r : {}));
        // After the call, not before: the click opens the window first. A page leaving for the PG does so only
        // after this task, and a page's first sessionStorage access can take milliseconds.
        this.#setState('paying');
        rememberPayer(merchantUid, this);
      });
      // The window has closed: focus goes back to the button if it was here when the payment started or has fallen
      // to <body> (iamport.js gives it back to nothing; what gives it back to the host reaches the button too).
      if (focused || document.activeElement === document.body) this.focus();
      if (current()) await this.#verify({ merchantUid, ...readSdkAnswer(rsp) }, 'callback', current, signal);
    } catch (error) {
      // The V2 chunk's failure to load is a failure as it is; anything else thrown is unexpected.
      if (!signal.aborted) fail((error as Failure)?.stage ? (error as Failure) : { stage: 'verify', code: 'unexpected', message: String(error), retryable: true });
    }
  }

  #render(): void {
    const busy = BUSY.includes(this.#state);
    const lang = resolveLang(this.lang);
    const t = texts(lang);
    // The amount a click would pay, or none.
    const amount = readAmount(this.amount, this.currency);
    const label = t.pay(amount ? formatAmount(amount, this.currency || 'KRW', lang) : '').trim();
    // Reflected from the first render (connect or any attribute), not only once a payment starts.
    this.setAttribute('state', this.#state);
    render(
      html`<button part="button" type="button" ?disabled=${this.disabled} aria-busy=${busy} @click=${this.#onClick}><slot>${label}</slot></button><span part="status" role="status" aria-live="polite">${this.#announcement}</span>`,
      this.#root,
    );
  }

  // A click while busy only waits for the result under way (pay() starts nothing then).
  #onClick = (): void => {
    if (!this.disabled) this.pay().catch(() => {});
  };

  /**
   * Starts the same flow as a click. Resolves with the success detail, rejects with the failure detail.
   * Called while a payment is in progress, it waits for that payment's result.
   */
  pay(): Promise<PaymentSuccessDetail> {
    return new Promise((resolve, reject) => {
      this.#waiters.push((detail) => ('stage' in detail ? reject : resolve)(detail as unknown as PaymentSuccessDetail));
      if (!BUSY.includes(this.#state)) void this.#run();
    });
  }
}

defineAttributeProperties(PortoneCheckoutElement.prototype);
