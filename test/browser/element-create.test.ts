// <portone-checkout> comes to life every way a page makes it: createElement, the constructor, parsed HTML,
// innerHTML set later; and defining it again (a second bundle, another registry) never throws.
import { expect, fixture, html } from '@open-wc/testing';
import { defineElement, PortoneCheckoutElement, TAG } from '../../src/index.js';
import { button, cleanup, clickToFail, clickToSucceed, nextTask, valid } from './element-helpers.js';
import { hintsPrinted } from './hints.js';
import { queueScript } from './sandbox.js';
import { withOrder } from './verifier.js';

/** console.warn calls made while `fn` runs, its console hints included (printed a moment later: hints.ts). */
async function warnings(fn: () => unknown): Promise<string[]> {
  const seen: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => void seen.push(args.map(String).join(' '));
  try {
    await fn();
    await hintsPrinted();
  } finally {
    console.warn = original;
  }
  return seen;
}

describe('<portone-checkout> creation', () => {
  afterEach(cleanup);

  it('is created from document.createElement', () => {
    const el = document.createElement('portone-checkout');
    expect(el).to.be.instanceOf(PortoneCheckoutElement);
    expect(el.state).to.equal('idle');
    expect(el.merchant).to.equal(null);
    expect(el.disabled).to.equal(false);
    expect(el.shadowRoot, 'open shadow root').to.be.instanceOf(ShadowRoot);
    document.body.append(el);
    expect(button(el)).to.be.instanceOf(HTMLButtonElement);
    expect(el.getAttribute('state'), 'state is reflected from the start').to.equal('idle');
    el.remove();
  });

  it('is created from its constructor', async () => {
    const el = new PortoneCheckoutElement();
    expect(el.localName).to.equal('portone-checkout');
    expect(el.attributes.length, 'a constructor adds no attribute').to.equal(0);
    expect(el.sdkTimeout).to.equal(15_000);
    Object.assign(el, { merchant: '', amount: '1000' });
    document.body.append(el);
    const failure = await clickToFail(el);
    expect(failure.stage).to.equal('config');
    expect(failure.message).to.include('merchant');
    el.remove();
  });

  it('is created from HTML, attributes read as camelCase properties and written back', async () => {
    const el = await fixture<PortoneCheckoutElement>(html`<portone-checkout merchant="imp12345678" amount="14000" buyer-tel="010-1234-5678"
      m-redirect-url="https://shop.example/done" card-quota="2,3" channel-key="channel-1" escrow></portone-checkout>`);
    expect(el).to.be.instanceOf(PortoneCheckoutElement);
    expect(el.merchant).to.equal('imp12345678');
    expect(el.amount).to.equal('14000');
    expect(el.buyerTel).to.equal('010-1234-5678');
    expect(el.mRedirectUrl).to.equal('https://shop.example/done');
    expect(el.cardQuota).to.equal('2,3');
    expect(el.channelKey).to.equal('channel-1');
    expect(el.escrow).to.equal(true);
    expect(el.digital).to.equal(false);
    el.digital = true;
    expect(el.getAttribute('digital')).to.equal('');
    el.escrow = false;
    expect(el.hasAttribute('escrow')).to.equal(false);
    el.vbankDue = '2030-12-31';
    expect(el.getAttribute('vbank-due')).to.equal('2030-12-31');
    el.buyerTel = null;
    expect(el.hasAttribute('buyer-tel')).to.equal(false);
    expect(el.getAttribute('state')).to.equal('idle');
  });

  it('is upgraded when innerHTML adds it later, and pays', async () => {
    const attributes = await withOrder(valid());
    await queueScript({ merchant_uid: attributes['merchant-uid'] as string, action: 'approve' });
    const host = document.createElement('div');
    document.body.append(host);
    try {
      const escape = (v: string | true) => String(v).replace(/&/g, '&amp;').replace(/"/g, '&quot;');
      host.innerHTML = `<p>cart</p><portone-checkout ${Object.entries(attributes).map(([k, v]) => `${k}="${escape(v)}"`).join(' ')}></portone-checkout>`;
      const el = host.querySelector('portone-checkout')!;
      expect(el).to.be.instanceOf(PortoneCheckoutElement);
      const detail = await clickToSucceed(el);
      expect(detail.merchantUid).to.equal(attributes['merchant-uid']);
      expect(detail.status).to.equal('paid');
    } finally {
      host.remove();
    }
  });

  it('an element made before the tag was defined is upgraded when it is', async () => {
    const tag = `portone-checkout-late-${Date.now()}`;
    const el = document.createElement(tag);
    el.setAttribute('amount', '14000');
    document.body.append(el);
    try {
      expect(el).not.to.be.instanceOf(PortoneCheckoutElement);
      const defined = defineElement(tag);
      expect(el).to.be.instanceOf(defined);
      expect(el).to.be.instanceOf(PortoneCheckoutElement);
      const failure = await clickToFail(el as PortoneCheckoutElement);
      expect(failure.message, 'no merchant yet').to.include('merchant');
    } finally {
      el.remove();
    }
  });

  describe('defining again', () => {
    it('defineElement() again returns the class, without throwing or warning', async () => {
      const said = await warnings(() => {
        expect(defineElement()).to.equal(PortoneCheckoutElement);
        expect(defineElement(TAG, customElements)).to.equal(PortoneCheckoutElement);
      });
      expect(said).to.deep.equal([]);
      expect(customElements.get('portone-checkout')).to.equal(PortoneCheckoutElement);
    });

    it('importing the bundle entry again does not throw', async () => {
      await import('../../src/portone-checkout.js');
      expect(customElements.get('portone-checkout')).to.equal(PortoneCheckoutElement);
    });

    it('under a second tag in the same registry, it defines (a subclass) and does not throw', async () => {
      const tag = `portone-checkout-second-${Date.now()}`;
      let defined: CustomElementConstructor | undefined;
      const said = await warnings(() => {
        defined = defineElement(tag);
        expect(defineElement(tag), 'again: the same class').to.equal(defined);
      });
      expect(said, 'nothing to warn about').to.deep.equal([]);
      expect(customElements.get(tag)).to.equal(defined);
      expect(customElements.get(TAG), 'the main tag keeps the class').to.equal(PortoneCheckoutElement);
      expect(document.createElement(tag)).to.be.instanceOf(PortoneCheckoutElement);
    });

    it('in a registry where another class already has the tag, it keeps that class and warns', async () => {
      const frame = document.createElement('iframe');
      document.body.append(frame);
      try {
        const w = frame.contentWindow as Window & typeof globalThis;
        class Other extends w.HTMLElement {}
        w.customElements.define(TAG, Other);
        let returned: CustomElementConstructor | undefined;
        const said = await warnings(() => (returned = defineElement(TAG, w.customElements)));
        expect(returned).to.equal(Other);
        expect(w.customElements.get(TAG)).to.equal(Other);
        expect(said).to.have.length(1);
        expect(said[0]).to.include('portone-checkout');
      } finally {
        frame.remove();
      }
    });

    it('in a fresh registry it defines the element there, and again returns it', async function () {
      const Registry = CustomElementRegistry as unknown as { new (): CustomElementRegistry };
      let registry: CustomElementRegistry;
      try {
        registry = new Registry();
      } catch {
        return this.skip(); // no scoped registries in this browser
      }
      expect(defineElement(TAG, registry)).to.equal(PortoneCheckoutElement);
      expect(registry.get(TAG)).to.equal(PortoneCheckoutElement);
      expect(await warnings(() => expect(defineElement(TAG, registry)).to.equal(PortoneCheckoutElement))).to.deep.equal([]);
      await nextTask();
    });
  });
});
