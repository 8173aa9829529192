// dist/loader.js, the one-tag embed, in fresh pages (iframes on the test server's origin, so each test has its
// own window, registry and loader). `npm test` builds dist/ before the browser suite.
import { expect } from '@open-wc/testing';
import type { PortoneCheckoutElement } from '../../src/index.js';
import { control, sandboxUrl, uniqueMerchantUid } from './sandbox.js';
import { storeOrder, VERIFY_URL } from './verifier.js';

const LOADER = '/dist/loader.js';

interface Frame {
  win: Window & typeof globalThis;
  doc: Document;
  remove(): void;
}

async function openPage(query: Record<string, string> = {}): Promise<Frame> {
  const iframe = document.createElement('iframe');
  iframe.src = `/__test/page?${new URLSearchParams(query)}`;
  document.body.append(iframe);
  await new Promise((resolve) => iframe.addEventListener('load', resolve, { once: true }));
  const win = iframe.contentWindow as Window & typeof globalThis;
  return { win, doc: win.document, remove: () => iframe.remove() };
}

function addScript(frame: Frame, src: string, nonce?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = frame.doc.createElement('script');
    script.src = src;
    if (nonce) script.nonce = nonce;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`${src} did not load`));
    frame.doc.head.append(script);
  });
}

function moduleScripts(frame: Frame): HTMLScriptElement[] {
  return [...frame.doc.querySelectorAll<HTMLScriptElement>('script[type=module]')];
}

async function defined(frame: Frame): Promise<void> {
  await frame.win.customElements.whenDefined('portone-checkout');
}

/** Resolves false if `promise` has not settled within `ms`: for "nothing happens" checks. */
function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([promise.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
}

describe('dist/loader.js', () => {
  let frame: Frame | undefined;
  afterEach(() => frame?.remove());

  it('upgrades elements that were in the page before it ran', async () => {
    frame = await openPage({ body: '<portone-checkout merchant="imp1" amount="1000"></portone-checkout>' });
    await addScript(frame, LOADER);
    await defined(frame);
    const el = frame.doc.querySelector('portone-checkout') as PortoneCheckoutElement;
    expect(el.shadowRoot?.querySelector('button')).to.exist;
    expect(moduleScripts(frame).map((s) => new URL(s.src).pathname)).to.deep.equal(['/dist/portone-checkout.js']);
  });

  it('waits for the first element: nothing is imported until one is inserted later', async () => {
    frame = await openPage();
    await addScript(frame, LOADER);
    expect(await settlesWithin(frame.win.customElements.whenDefined('portone-checkout'), 300)).to.equal(false);
    expect(moduleScripts(frame)).to.have.length(0);
    frame.doc.body.innerHTML = '<div><portone-checkout merchant="imp1" amount="500"></portone-checkout></div>';
    await defined(frame);
    expect(frame.doc.querySelector('portone-checkout')!.shadowRoot).to.exist;
  });

  it('upgrades elements inserted after the bundle loaded', async () => {
    frame = await openPage({ body: '<portone-checkout merchant="imp1" amount="1000"></portone-checkout>' });
    await addScript(frame, LOADER);
    await defined(frame);
    frame.doc.body.insertAdjacentHTML('beforeend', '<portone-checkout merchant="imp1" amount="2000"></portone-checkout>');
    const later = frame.doc.querySelectorAll('portone-checkout')[1];
    expect(later.shadowRoot?.querySelector('button')).to.exist;
  });

  it('is safe to include twice: one import, one definition', async () => {
    frame = await openPage({ body: '<portone-checkout merchant="imp1" amount="1000"></portone-checkout>' });
    const errors: unknown[] = [];
    frame.win.addEventListener('error', (e) => errors.push(e.error ?? e.message));
    await addScript(frame, LOADER);
    await addScript(frame, `${LOADER}?again`);
    await defined(frame);
    expect(moduleScripts(frame)).to.have.length(1);
    expect(errors).to.deep.equal([]);
  });

  it('preconnects to the SDK host the first element names', async () => {
    frame = await openPage({ body: `<portone-checkout merchant="imp1" amount="1000" sdk-src="${sandboxUrl}/iamport.js"></portone-checkout>` });
    await addScript(frame, LOADER);
    await defined(frame);
    const hints = [...frame.doc.querySelectorAll<HTMLLinkElement>('link[rel=preconnect]')].map((l) => l.href.replace(/\/$/, ''));
    expect(hints).to.deep.equal([sandboxUrl]);
  });

  for (const [title, malformed] of [
    ['an invalid host', 'http://[bad/iamport.js'],
    ['a port out of range', 'https://cdn.iamport.kr:99999/v1/iamport.js'],
  ] as const) {
    it(`one malformed sdk-src (${title}) on the first element fails only that element; the loader loads the rest`, async () => {
      const merchantUid = uniqueMerchantUid('loader');
      await storeOrder({ merchant_uid: merchantUid, amount: 3000 });
      await control('/scripts', 'POST', { merchant_uid: merchantUid, action: 'approve' });
      frame = await openPage({
        body: `<portone-checkout id="bad" merchant="imp12345678" amount="1000" sdk-src="${malformed}"></portone-checkout>
          <portone-checkout id="good" merchant="imp12345678" amount="3000" merchant-uid="${merchantUid}" sdk-src="${sandboxUrl}/iamport.js" verify-url="${VERIFY_URL}"></portone-checkout>`,
      });
      const errors: unknown[] = [];
      frame.win.addEventListener('error', (e) => errors.push(e.error ?? e.message));
      await addScript(frame, LOADER);
      expect(await settlesWithin(defined(frame), 5000), 'the bundle loaded and defined the element').to.equal(true);
      expect(errors, 'nothing thrown').to.deep.equal([]);
      const bad = frame.doc.getElementById('bad') as PortoneCheckoutElement;
      const good = frame.doc.getElementById('good') as PortoneCheckoutElement;
      const failure = await bad.pay().then(
        () => expect.fail('resolved'),
        (detail: { stage: string; code: string; message: string }) => detail,
      );
      expect(failure).to.include({ stage: 'config', code: 'invalid_attribute' });
      expect(failure.message).to.include('sdk-src');
      expect((await good.pay()).status).to.equal('paid');
    });
  }

  /** The paths this page has fetched so far (the resource timing entries). */
  const fetched = (frame: Frame) => frame.win.performance.getEntriesByType('resource').map((entry) => new URL(entry.name).pathname);

  it('a V1 page never fetches the V2 part; a V2 element (store-id) imports it once, from beside the bundle', async () => {
    frame = await openPage({ body: '<portone-checkout merchant="imp1" amount="1000"></portone-checkout>' });
    await addScript(frame, LOADER);
    await defined(frame);
    const v1 = frame.doc.querySelector('portone-checkout') as PortoneCheckoutElement;
    // A V1 click (failing at stage config: no amount) fetches nothing of V2's.
    v1.removeAttribute('amount');
    await v1.pay().catch(() => {});
    expect(fetched(frame).filter((path) => path.startsWith('/dist/'))).to.deep.equal(['/dist/loader.js', '/dist/portone-checkout.js']);
    // Two V2 elements, each refusing its attributes (no name) only once the V2 part has read them.
    frame.doc.body.insertAdjacentHTML('beforeend', '<portone-checkout store-id="s" channel-key="c" amount="1000"></portone-checkout>'.repeat(2));
    const [, a, b] = frame.doc.querySelectorAll('portone-checkout') as NodeListOf<PortoneCheckoutElement>;
    const failures = await Promise.all([a, b].map((el) => el.pay().then(() => expect.fail('resolved'), (detail: Record<string, unknown>) => detail)));
    for (const failure of failures) expect(failure).to.include({ version: 'v2', stage: 'config', code: 'invalid_attribute' });
    expect(fetched(frame).filter((path) => path.startsWith('/dist/'))).to.deep.equal(['/dist/loader.js', '/dist/portone-checkout.js', '/dist/portone-checkout-v2.js']);
  });

  it('the V2 part failing to load is a retryable stage sdk failure, with version v2', async () => {
    // The page's import map sends the V2 part's URL to one that answers 404, as a host that forgot to upload it.
    const importmap = JSON.stringify({ imports: { '/dist/portone-checkout-v2.js': '/dist/not-uploaded.js' } });
    frame = await openPage({
      body: `<script type="importmap">${importmap}</script><portone-checkout store-id="s" channel-key="c" amount="1000" name="n"></portone-checkout>`,
    });
    await addScript(frame, LOADER);
    await defined(frame);
    const el = frame.doc.querySelector('portone-checkout') as PortoneCheckoutElement;
    const failure = await el.pay().then(() => expect.fail('resolved'), (detail: Record<string, unknown>) => detail);
    expect(failure).to.include({ version: 'v2', stage: 'sdk', code: 'sdk_error', retryable: true, cancelled: false });
    expect(failure.message).to.include('V2 part did not load');
    expect(el.state).to.equal('failure');
  });

  /** The page's console.warn lines from now on, and a wait for the first one (the hints print a moment after they are due). */
  function warnings(frame: Frame): { said: string[]; first(): Promise<string> } {
    const said: string[] = [];
    frame.win.console.warn = (...args: unknown[]) => void said.push(args.map(String).join(' '));
    const first = async () => {
      for (let waited = 0; !said.length && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      return said[0];
    };
    return { said, first };
  }

  /** A V1 element whose prepare-url never answers (a closed port): its click earns the CORS hint. */
  const UNANSWERED = `<portone-checkout merchant="imp1" amount="1000" sdk-src="${sandboxUrl}/iamport.js" prepare-url="http://127.0.0.1:9/prepare"></portone-checkout>`;

  it('a console hint is printed from its own file, fetched only when a hint is due', async () => {
    frame = await openPage({ body: UNANSWERED });
    const hints = warnings(frame);
    await addScript(frame, LOADER);
    await defined(frame);
    const el = frame.doc.querySelector('portone-checkout') as PortoneCheckoutElement;
    const dist = () => fetched(frame!).filter((path) => path.startsWith('/dist/'));
    expect(dist(), 'no hint yet: no hints file').to.deep.equal(['/dist/loader.js', '/dist/portone-checkout.js']);
    const failure = await el.pay().then(() => expect.fail('resolved'), (detail: Record<string, unknown>) => detail);
    expect(failure).to.include({ stage: 'prepare', code: 'network', retryable: true });
    expect(await hints.first()).to.include('http://127.0.0.1:9/prepare did not answer').and.include('CORS').and.include('ALLOWED_ORIGINS');
    expect(dist()).to.deep.equal(['/dist/loader.js', '/dist/portone-checkout.js', '/dist/portone-checkout-hints.js']);
  });

  it('a hints file that does not load leaves a short line with the hint’s code, and the payment’s failure as it was', async () => {
    // The page's import map sends the hints' URL to one that answers 404, as a host that forgot to upload it.
    const importmap = JSON.stringify({ imports: { '/dist/portone-checkout-hints.js': '/dist/not-uploaded.js' } });
    frame = await openPage({ body: `<script type="importmap">${importmap}</script>${UNANSWERED}` });
    const hints = warnings(frame);
    await addScript(frame, LOADER);
    await defined(frame);
    const el = frame.doc.querySelector('portone-checkout') as PortoneCheckoutElement;
    const failure = await el.pay().then(() => expect.fail('resolved'), (detail: Record<string, unknown>) => detail);
    expect(failure).to.include({ stage: 'prepare', code: 'network', retryable: true });
    const line = await hints.first();
    expect(line).to.include('<portone-checkout>').and.include('cors').and.include('http://127.0.0.1:9/prepare');
    expect(line).not.to.include('ALLOWED_ORIGINS');
    expect(el.state).to.equal('failure');
  });

  it('works on a page with a strict CSP nonce: the bundle and iamport.js get the nonce, and a payment goes through', async () => {
    const nonce = `n${Math.random().toString(36).slice(2)}`;
    const merchantUid = uniqueMerchantUid('csp');
    await storeOrder({ merchant_uid: merchantUid, amount: 3000 });
    await control('/scripts', 'POST', { merchant_uid: merchantUid, action: 'approve' });
    // The page as a merchant writes it: the loader tag with the nonce, then the element.
    frame = await openPage({
      nonce,
      body: `<script nonce="${nonce}" src="${LOADER}" async></script>
        <portone-checkout merchant="imp12345678" amount="3000" merchant-uid="${merchantUid}" sdk-src="${sandboxUrl}/iamport.js" verify-url="${VERIFY_URL}"></portone-checkout>`,
    });
    // Without the nonce the page refuses scripts: the policy is in force.
    let refused = false;
    await addScript(frame, `${LOADER}?no-nonce`).catch(() => (refused = true));
    expect(refused, 'a script without the nonce must be refused').to.equal(true);
    await defined(frame);
    expect(moduleScripts(frame)[0].nonce).to.equal(nonce);
    const el = frame.doc.querySelector('portone-checkout') as PortoneCheckoutElement;
    const detail = await el.pay();
    expect(detail.status).to.equal('paid');
    expect(detail.version === 'v1' && detail.merchantUid).to.equal(merchantUid);
    const sdkTag = [...frame.doc.scripts].find((s) => s.src.startsWith(`${sandboxUrl}/iamport.js`));
    expect(sdkTag?.nonce).to.equal(nonce);
  });
});
