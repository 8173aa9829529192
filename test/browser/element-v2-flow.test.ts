// The V2 element end to end (SPEC §8.1): the sandbox's stand-in browser-sdk.js and its test payment window
// (scripted through the sandbox's V2 control API) → PortOne.requestPayment's answer → the reference verifier's V2
// complete → payment-success / payment-failure with version v2. Approve, decline, close, a virtual account, the
// mobile trip to the window and back to the landing, two
// tampered payments (the window paying another amount, a page amount other than the pre-registered one), twenty
// elements sharing one SDK load, V1 and V2 elements paying on one page, and a page under a strict CSP.
import { expect } from '@open-wc/testing';
import type { PaymentFailureDetailV2, PaymentSuccessDetailV2 } from '../../src/events.js';
import type { PortoneCheckoutElement } from '../../src/portone-checkout-element.js';
import { cleanup, clearEndpointCalls, clickToFail, clickToSucceed, endpointCalls, liveRegion, mount, nextTask, recordStates, sdkReady, valid } from './element-helpers.js';
import { queueScript, sandboxV2, V2_SDK_URL } from './sandbox.js';
import { PREPARE_URL, storeV2Order, VERIFY_URL, withOrder } from './verifier.js';

type Attributes = Record<string, string | true>;

let n = 0;
/** A paymentId no other test uses (letters and digits: what every V2 PG takes, and the verifier's rule). */
const uniquePaymentId = () => `el2${Date.now().toString(36)}${(n++).toString(36)}`;

/** A V2 element's attributes, paying through the sandbox's V2 side and verifying at the reference verifier. */
function v2(extra: Attributes = {}): Attributes {
  return {
    'store-id': 'store-sandbox',
    'channel-key': 'channel-key-sandbox',
    amount: '14000',
    name: '노르웨이 회전 의자',
    'payment-id': uniquePaymentId(),
    'sdk-src': V2_SDK_URL,
    'verify-url': VERIFY_URL,
    ...extra,
  };
}

/** The order stored at the verifier (and pre-registered), the next window for it scripted: a mounted element. */
async function scripted(script: { action: 'approve' | 'decline' | 'close' | 'vbank' | 'amount'; amount?: number; pgCode?: string; pgMessage?: string }, extra: Attributes = {}) {
  const attributes = v2(extra);
  const paymentId = attributes['payment-id'] as string;
  await storeV2Order({ paymentId, amount: Number(attributes.amount) });
  await sandboxV2.queueScript({ ...script, paymentId });
  return { el: mount(attributes), paymentId };
}

const succeeds = (el: PortoneCheckoutElement) => clickToSucceed(el) as unknown as Promise<PaymentSuccessDetailV2>;
const fails = (el: PortoneCheckoutElement) => clickToFail(el) as unknown as Promise<PaymentFailureDetailV2>;

/** The requests this page made for `url`, as the browser's resource timing lists them. */
const requestsFor = (url: string) => performance.getEntriesByType('resource').filter((e) => e.name === url).length;

describe('<portone-checkout> PortOne V2 against the sandbox and the reference verifier', () => {
  beforeEach(clearEndpointCalls);
  afterEach(() => {
    cleanup();
    // A window a failed test left open (the stand-in replaces it at the next requestPayment anyway).
    for (const overlay of document.querySelectorAll('.portone-sandbox-dialog')) overlay.remove();
  });

  it('approve → verify { paymentId, txId } → payment-success with version v2, the ids, status paid', async () => {
    const { el, paymentId } = await scripted({ action: 'approve' });
    const states = recordStates(el);
    const detail = await succeeds(el);
    const p = await sandboxV2.payment(paymentId);
    expect(p.status).to.equal('PAID');
    expect(detail).to.deep.include({ version: 'v2', paymentId, txId: p.transactionId, amount: 14000, currency: 'KRW', status: 'paid', payMethod: 'CARD', via: 'callback' });
    expect(detail.verification).to.include({ status: 'paid', paymentId, txId: p.transactionId, amount: 14000, currency: 'KRW' });
    expect(await endpointCalls()).to.deep.equal([{ path: VERIFY_URL, query: '', body: { paymentId, txId: p.transactionId } }]);
    expect(states()).to.include.members(['paying', 'verifying', 'success']);
    expect(liveRegion(el).textContent).to.equal('결제가 완료되었습니다.');
  });

  it('prepare-url: the verifier stores and pre-registers the order, and the element pays what it answered', async () => {
    const attributes = v2({ 'prepare-url': PREPARE_URL });
    const paymentId = attributes['payment-id'] as string;
    await sandboxV2.queueScript({ paymentId, action: 'approve' });
    const detail = await succeeds(mount(attributes));
    expect(detail).to.deep.include({ version: 'v2', paymentId, amount: 14000, status: 'paid' });
    const [prepare, verify] = await endpointCalls();
    expect(prepare).to.deep.equal({ path: PREPARE_URL, query: '', body: { version: 'v2', amount: 14000, currency: 'KRW', name: '노르웨이 회전 의자', paymentId } });
    expect(verify!.body).to.deep.equal({ paymentId, txId: detail.txId });
    expect((await sandboxV2.preRegistration(paymentId)).totalAmount).to.equal(14000);
  });

  it('decline → stage payment with PortOne’s code and the PG’s words, not cancelled, no verify call', async () => {
    const { el, paymentId } = await scripted({ action: 'decline', pgCode: 'F0004', pgMessage: '한도초과' });
    const detail = await fails(el);
    expect(detail).to.deep.include({ version: 'v2', stage: 'payment', code: 'FAILURE_TYPE_PG', pgCode: 'F0004', pgMessage: '한도초과', paymentId, cancelled: false, retryable: false, via: 'callback' });
    expect(detail.message).to.be.a('string').and.not.equal('');
    expect(await endpointCalls()).to.deep.equal([]);
    expect(liveRegion(el).textContent).to.equal('결제하지 못했습니다.');
  });

  it('close → payment-failure cancelled, no verify call; the attempt stays unpaid at PortOne', async () => {
    const { el, paymentId } = await scripted({ action: 'close' });
    const detail = await fails(el);
    expect(detail).to.deep.include({ version: 'v2', stage: 'payment', code: 'FAILURE_TYPE_PG', pgCode: 'PAY_PROCESS_CANCELED', paymentId, cancelled: true });
    expect(await endpointCalls()).to.deep.equal([]);
    expect((await sandboxV2.payment(paymentId)).status).to.equal('READY');
    expect(liveRegion(el).textContent).to.equal('결제를 취소했습니다.');
  });

  it('a virtual account → payment-success with status virtual_account_issued and the account in verification', async () => {
    const { el, paymentId } = await scripted({ action: 'vbank' }, { 'pay-method': 'vbank' });
    const detail = await succeeds(el);
    expect(detail).to.deep.include({ version: 'v2', paymentId, amount: 14000, status: 'virtual_account_issued', payMethod: 'VIRTUAL_ACCOUNT', via: 'callback' });
    expect(detail.verification.accountNumber).to.be.a('string').and.not.equal('');
    expect((await sandboxV2.payment(paymentId)).status).to.equal('VIRTUAL_ACCOUNT_ISSUED');
  });

  it('tampered: the window pays another amount → the verifier refunds it → stage verify, refused', async () => {
    const { el, paymentId } = await scripted({ action: 'amount', amount: 100 });
    const detail = await fails(el);
    expect(detail).to.deep.include({ version: 'v2', stage: 'verify', code: 'http_409', paymentId, retryable: false });
    expect(detail.verification).to.include({ status: 'forgery' });
    expect((await sandboxV2.payment(paymentId)).status).to.equal('CANCELLED');
    expect(liveRegion(el).textContent).to.equal('금액이 달라 환불합니다.');
  });

  it('tampered: a page amount other than the pre-registered one → PortOne refuses before any window, no verify call', async () => {
    const attributes = v2({ amount: '100' });
    const paymentId = attributes['payment-id'] as string;
    await storeV2Order({ paymentId, amount: 14000 });
    const detail = await fails(mount(attributes));
    expect(detail).to.deep.include({ version: 'v2', stage: 'payment', code: 'AmountNotEqualToPredefined', paymentId, cancelled: false });
    expect(document.querySelector('.portone-sandbox-dialog')).to.equal(null);
    expect(await endpointCalls()).to.deep.equal([]);
  });

  it('mobile: the page goes to the window and back to its redirectUrl; the landing is claimed, cleaned and verified via redirect', async () => {
    const attributes = v2();
    const paymentId = attributes['payment-id'] as string;
    await storeV2Order({ paymentId, amount: 14000 });
    await sandboxV2.queueScript({ paymentId, action: 'approve', device: 'mobile' });
    const tag = `<portone-checkout ${Object.entries(attributes).map(([name, value]) => `${name}="${value}"`).join(' ')}></portone-checkout>`;
    // A classic script, before the element's module: it hears the landing's event, then tells this page where it is.
    const report = `<script>for (const type of ['payment-success', 'payment-failure']) document.addEventListener(type, (e) => parent.postMessage({ type, detail: e.detail, href: location.href }, '*'));</script>`;
    const body = `${report}${tag}<script type="module">import '/src/index.ts';</script>`;
    const page = `${location.origin}/__test/page?${new URLSearchParams({ body })}`;
    const iframe = document.createElement('iframe');
    iframe.src = page;
    const loaded = new Promise((resolve) => iframe.addEventListener('load', resolve, { once: true }));
    const outcome = new Promise<{ type: string; detail: PaymentSuccessDetailV2; href: string }>((resolve) =>
      addEventListener('message', function heard(e) {
        if (e.source !== iframe.contentWindow) return;
        removeEventListener('message', heard);
        resolve(e.data);
      }),
    );
    document.body.append(iframe);
    try {
      await loaded;
      const w = iframe.contentWindow as Window & typeof globalThis;
      await w.customElements.whenDefined('portone-checkout');
      // The answer is undefined (the page is leaving): nothing to wait for here.
      void (w.document.querySelector('portone-checkout') as PortoneCheckoutElement).pay().catch(() => {});
      const { type, detail, href } = await outcome;
      const p = await sandboxV2.payment(paymentId);
      expect(type).to.equal('payment-success');
      expect(detail).to.deep.include({ version: 'v2', paymentId, txId: p.transactionId, amount: 14000, status: 'paid', via: 'redirect' });
      expect(href, 'the landing left the address bar').to.equal(page);
      expect((await endpointCalls()).map((c) => c.body)).to.deep.equal([{ paymentId, txId: p.transactionId }]);
    } finally {
      iframe.remove();
    }
  });

  it('twenty V2 elements → one browser-sdk.js load; each can pay with it', async () => {
    delete (window as { PortOne?: unknown }).PortOne;
    // A URL no other test loaded, so the count is this test's.
    const sdkSrc = `${V2_SDK_URL}?twenty=${uniquePaymentId()}`;
    const elements = Array.from({ length: 20 }, () => mount(v2({ 'sdk-src': sdkSrc })));
    const paymentId = elements[7]!.paymentId!;
    await storeV2Order({ paymentId, amount: 14000 });
    await sandboxV2.queueScript({ paymentId, action: 'approve' });
    expect((await succeeds(elements[7]!)).paymentId).to.equal(paymentId);
    // Every element warmed up in idle time by now (or shared the click's load).
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect([...document.scripts].filter((s) => s.src === sdkSrc)).to.have.length(1);
    expect(requestsFor(sdkSrc)).to.equal(1);
  });

  it('V1 and V2 elements on one page: each pays through its own PortOne and reports its version', async () => {
    await sdkReady();
    const v1Attributes = await withOrder(valid());
    await queueScript({ merchant_uid: v1Attributes['merchant-uid'] as string, action: 'approve' });
    const v1 = mount(v1Attributes);
    const { el: second } = await scripted({ action: 'approve' });
    const [one, two] = [await clickToSucceed(v1), await succeeds(second)];
    expect(one).to.deep.include({ version: 'v1', merchantUid: v1Attributes['merchant-uid'], status: 'paid' });
    expect(two).to.deep.include({ version: 'v2', paymentId: second.paymentId, status: 'paid' });
    expect(window.IMP?.request_pay, 'iamport.js').to.be.a('function');
    expect((window as { PortOne?: { requestPayment?: unknown } }).PortOne?.requestPayment, 'browser-sdk.js').to.be.a('function');
    await nextTask();
  });

  it('a page with a strict CSP nonce: the loader, the bundle and browser-sdk.js get the nonce, and a V2 payment goes through', async () => {
    const nonce = `n${Math.random().toString(36).slice(2)}`;
    const paymentId = uniquePaymentId();
    await storeV2Order({ paymentId, amount: 3000 });
    await sandboxV2.queueScript({ paymentId, action: 'approve' });
    const attributes = Object.entries(v2({ amount: '3000', 'payment-id': paymentId }))
      .map(([name, value]) => `${name}="${value}"`)
      .join(' ');
    const iframe = document.createElement('iframe');
    iframe.src = `/__test/page?${new URLSearchParams({ nonce, body: `<script nonce="${nonce}" src="/dist/loader.js" async></script><portone-checkout ${attributes}></portone-checkout>` })}`;
    const loaded = new Promise((resolve) => iframe.addEventListener('load', resolve, { once: true }));
    document.body.append(iframe);
    try {
      await loaded;
      const w = iframe.contentWindow as Window & typeof globalThis;
      // Without the nonce the page refuses scripts: the policy is in force.
      const refused = await new Promise<boolean>((resolve) => {
        const script = w.document.createElement('script');
        script.src = '/dist/loader.js?no-nonce';
        script.onload = () => resolve(false);
        script.onerror = () => resolve(true);
        w.document.head.append(script);
      });
      expect(refused, 'a script without the nonce is refused').to.equal(true);
      await w.customElements.whenDefined('portone-checkout');
      const el = w.document.querySelector('portone-checkout') as PortoneCheckoutElement;
      const detail = (await el.pay()) as unknown as PaymentSuccessDetailV2;
      expect(detail).to.deep.include({ version: 'v2', paymentId, amount: 3000, status: 'paid' });
      expect([...w.document.scripts].find((s) => s.src === V2_SDK_URL)?.nonce).to.equal(nonce);
    } finally {
      iframe.remove();
    }
  });
});
