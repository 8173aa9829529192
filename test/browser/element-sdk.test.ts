// iamport.js as the element loads it: once per page per sdk-src whatever the number of elements, an existing
// window.IMP used as is, the CSP nonce passed on, and each way a load fails (404, no answer, no IMP) reported
// at stage `sdk`, retryable, with the next click loading again.
import { expect } from '@open-wc/testing';
import {
  afterIdle,
  cleanup,
  clickToFail,
  clickToSucceed,
  create,
  failureOf,
  forgetSdk,
  MERCHANT,
  mount,
  recordEvents,
  requestsFor,
  scriptTag,
  uniqueSdkUrl,
  valid,
} from './element-helpers.js';
import { queueScript, uniqueMerchantUid } from './sandbox.js';
import { VERIFY_URL, withOrder } from './verifier.js';

/** A test-endpoint SDK URL (404, hang, no-imp) no other test has requested. */
const failing = (kind: '404' | 'hang' | 'no-imp') => new URL(`/__test/sdk/${kind}.js?r=${uniqueMerchantUid()}`, location.href).href;

describe('<portone-checkout> iamport.js loading', () => {
  beforeEach(forgetSdk);
  afterEach(cleanup);

  it('20 elements paying at once → exactly one iamport.js request', async () => {
    const sdkSrc = uniqueSdkUrl();
    const host = document.createElement('div');
    const elements = Array.from({ length: 20 }, () =>
      // An unknown PG: the SDK answers at once (F1001) without opening a window, so all 20 can call request_pay.
      create({ merchant: MERCHANT, amount: '1000', pg: 'nonexistent_pg', 'merchant-uid': uniqueMerchantUid(), 'sdk-src': sdkSrc, 'verify-url': VERIFY_URL }),
    );
    host.append(...elements);
    document.body.append(host);
    try {
      const outcomes = await Promise.allSettled(elements.map((el) => el.pay()));
      for (const outcome of outcomes) {
        expect(outcome.status).to.equal('rejected');
        const detail = (outcome as PromiseRejectedResult).reason;
        expect(detail, 'every element reached request_pay').to.include({ stage: 'payment', code: 'F1001' });
      }
      await scriptTag(sdkSrc);
      expect(requestsFor(sdkSrc)).to.equal(1);
      expect([...document.scripts].filter((s) => s.src === sdkSrc)).to.have.length(1);
      // …and more clicks later load nothing more.
      const again = await clickToFail(elements[7]);
      expect(again.code).to.equal('F1001');
      expect(requestsFor(sdkSrc)).to.equal(1);
    } finally {
      host.remove();
    }
  });

  it('an existing window.IMP is used as it is: nothing is loaded', async () => {
    // The page's own iamport.js, loaded before the element.
    await new Promise((resolve, reject) => document.head.append(Object.assign(document.createElement('script'), { src: uniqueSdkUrl(), onload: resolve, onerror: reject })));
    const IMP = window.IMP!;
    const sdkSrc = failing('404');
    const attributes = await withOrder(valid({ 'sdk-src': sdkSrc }));
    await queueScript({ merchant_uid: attributes['merchant-uid'] as string, action: 'approve' });
    const el = mount(attributes);
    await clickToSucceed(el);
    expect(window.IMP).to.equal(IMP);
    expect(requestsFor(sdkSrc), 'sdk-src not requested').to.equal(0);
  });

  it('window.IMP removed after a load → the next payment loads iamport.js again', async () => {
    const sdkSrc = uniqueSdkUrl();
    const el = mount(valid({ 'sdk-src': sdkSrc, pg: 'nonexistent_pg' }));
    expect((await clickToFail(el)).code).to.equal('F1001');
    const first = window.IMP;
    delete window.IMP; // e.g. a single-page app resetting the SDK
    expect((await clickToFail(el)).code).to.equal('F1001');
    expect(window.IMP, 'a fresh IMP').to.have.property('request_pay');
    expect(window.IMP).not.to.equal(first);
    expect(requestsFor(sdkSrc)).to.equal(2);
    expect([...document.scripts].filter((s) => s.src === sdkSrc), 'one tag, the new one').to.have.length(1);
  });

  it('the element warms iamport.js up once connected with valid attributes', async () => {
    const sdkSrc = uniqueSdkUrl();
    mount(valid({ 'sdk-src': sdkSrc }));
    const tag = await scriptTag(sdkSrc);
    await new Promise((resolve) => tag.addEventListener('load', resolve, { once: true }));
    expect(window.IMP).to.have.property('request_pay');
    expect(requestsFor(sdkSrc)).to.equal(1);
  });

  it('sdk-src 404 → stage sdk, sdk_error, retryable; a click retries; a working sdk-src then pays', async () => {
    const sdkSrc = failing('404');
    const attributes = await withOrder(valid({ 'sdk-src': sdkSrc }));
    const el = mount(attributes);
    const events = recordEvents(el);
    // A failed warm-up is silent.
    const warm = await scriptTag(sdkSrc);
    await new Promise((resolve) => warm.addEventListener('error', resolve, { once: true }));
    await afterIdle();
    expect(events, 'a failed warm-up says nothing').to.deep.equal([]);
    expect(warm.isConnected, 'the failed tag is removed').to.equal(false);

    const first = await clickToFail(el);
    expect(first).to.deep.include({ stage: 'sdk', code: 'sdk_error', retryable: true, cancelled: false, merchantUid: attributes['merchant-uid'] });
    expect(first.message).to.include(sdkSrc);
    const second = await clickToFail(el);
    expect(second).to.deep.include({ stage: 'sdk', code: 'sdk_error', retryable: true });
    expect(requestsFor(sdkSrc), 'warm-up, then each click loads again').to.equal(3);
    expect([...document.scripts].filter((s) => s.src === sdkSrc), 'no failed tag left behind').to.deep.equal([]);

    await queueScript({ merchant_uid: attributes['merchant-uid'] as string, action: 'approve' });
    el.sdkSrc = uniqueSdkUrl();
    const success = await clickToSucceed(el);
    expect(success.status).to.equal('paid');
  });

  it('no answer within sdkTimeout → sdk_timeout, retryable', async () => {
    const sdkSrc = failing('hang');
    const el = create(valid({ 'sdk-src': sdkSrc }));
    el.sdkTimeout = 300;
    document.body.append(el);
    const started = performance.now();
    const detail = await clickToFail(el);
    expect(detail).to.deep.include({ stage: 'sdk', code: 'sdk_timeout', retryable: true });
    expect(detail.message).to.include('300');
    expect(performance.now() - started).to.be.below(5000);
    expect([...document.scripts].filter((s) => s.src === sdkSrc)).to.deep.equal([]);
  });

  it('a script without window.IMP → sdk_no_imp, retryable', async () => {
    const sdkSrc = failing('no-imp');
    const el = mount(valid({ 'sdk-src': sdkSrc }));
    const detail = await clickToFail(el);
    expect(detail).to.deep.include({ stage: 'sdk', code: 'sdk_no_imp', retryable: true });
    expect(detail.message).to.include('IMP');
  });

  it('the element’s nonce is passed to the script it injects', async () => {
    const sdkSrc = uniqueSdkUrl();
    const el = create(valid({ 'sdk-src': sdkSrc, pg: 'nonexistent_pg' }));
    el.setAttribute('nonce', 'element-nonce-1');
    document.body.append(el);
    const failure = failureOf(el);
    el.pay().catch(() => {});
    expect((await scriptTag(sdkSrc)).nonce).to.equal('element-nonce-1');
    expect((await failure).code, 'and the script ran').to.equal('F1001');
  });

  it('without its own nonce, the page’s script nonce is passed on', async () => {
    const sdkSrc = uniqueSdkUrl();
    const pageScript = Object.assign(document.createElement('script'), { type: 'text/plain' });
    pageScript.setAttribute('nonce', 'page-nonce-2');
    document.head.append(pageScript);
    try {
      const el = mount(valid({ 'sdk-src': sdkSrc, pg: 'nonexistent_pg' }));
      const failure = failureOf(el);
      el.pay().catch(() => {});
      expect((await scriptTag(sdkSrc)).nonce).to.equal('page-nonce-2');
      expect((await failure).code).to.equal('F1001');
    } finally {
      pageScript.remove();
    }
  });

  it('under a real Content-Security-Policy, the nonced iamport.js runs (a script without the nonce is blocked)', async () => {
    const sdkSrc = uniqueSdkUrl();
    const frame = document.createElement('iframe');
    const ready = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
    // The page's CSP allows only scripts carrying its nonce; the page loads the element as a nonced module.
    frame.srcdoc = `<!doctype html><meta http-equiv="Content-Security-Policy" content="script-src 'nonce-csp-n0nce'">
      <script type="module" nonce="csp-n0nce">import '/src/index.ts'; window.defined = customElements.whenDefined('portone-checkout');</script>`;
    document.body.append(frame);
    try {
      await ready;
      const w = frame.contentWindow as Window & typeof globalThis & { defined?: Promise<unknown> };
      expect(w.defined, 'the nonced module ran before the frame loaded').to.be.instanceOf(w.Promise);
      await w.defined;
      const d = w.document;
      const blocked = d.createElement('script');
      blocked.src = uniqueSdkUrl();
      const refused = new Promise((resolve) => blocked.addEventListener('error', resolve, { once: true }));
      d.head.append(blocked);
      await refused;
      expect(requestsFor(blocked.src), 'the CSP is enforced: no nonce, no request').to.equal(0);

      const el = d.createElement('portone-checkout') as HTMLElement & { pay(): Promise<unknown> };
      for (const [name, value] of Object.entries(valid({ 'sdk-src': sdkSrc, pg: 'nonexistent_pg' }))) el.setAttribute(name, String(value));
      d.body.append(el);
      const detail = await el.pay().then(
        () => expect.fail('resolved'),
        (failure: { stage: string; code: string }) => failure,
      );
      expect(detail, 'iamport.js ran and answered').to.include({ stage: 'payment', code: 'F1001' });
      expect([...d.scripts].find((s) => s.src === sdkSrc)?.nonce).to.equal('csp-n0nce');
    } finally {
      frame.remove();
    }
  });
});
