// What the buyer meets: one payment at a time per element (double clicks, clicks while busy), independent
// elements, pay() as a promise, the label (language, Intl amount, slot), disabled, accessibility (a real
// button, aria-busy, a polite live region), attribute text never parsed as HTML, and stale attempts dropped.
import { expect, fixture, html } from '@open-wc/testing';
import { texts } from '../../src/i18n.js';
import type { PortoneCheckoutElement } from '../../src/index.js';
import {
  button,
  cleanup,
  click,
  clickToFail,
  clickToSucceed,
  create,
  failureOf,
  forgetSdk,
  liveRegion,
  MERCHANT,
  mount,
  nextTask,
  recordEvents,
  recordStates,
  scriptTag,
  sdkReady,
  spyRequestPay,
  stateReached,
  successOf,
  uniqueSdkUrl,
  valid,
} from './element-helpers.js';
import { queueScript } from './sandbox.js';
import { withOrder } from './verifier.js';

const ko = texts('ko');
const en = texts('en');

/** A mounted element with valid attributes, its order stored at the verifier, whose next window does `action` (after `delay_ms`). */
async function scripted(action: 'approve' | 'decline' | 'close', delay_ms = 0, extra: Record<string, string> = {}) {
  const attributes = await withOrder(valid(extra));
  await queueScript({ merchant_uid: attributes['merchant-uid'] as string, action, delay_ms });
  return mount(attributes);
}

describe('<portone-checkout> behaviour', () => {
  afterEach(cleanup);

  describe('one payment at a time', () => {
    before(sdkReady);

    it('a double click → one request_pay, one event', async () => {
      const el = await scripted('approve');
      const spy = spyRequestPay();
      try {
        const events = recordEvents(el);
        const success = successOf(el);
        button(el).click();
        button(el).click();
        await success;
        await nextTask();
        expect(spy.calls).to.have.length(1);
        expect(events.map((e) => e.type)).to.deep.equal(['payment-success']);
      } finally {
        spy.restore();
      }
    });

    it('clicks while the window is open are ignored; aria-busy says so', async () => {
      const el = await scripted('approve', 600);
      const spy = spyRequestPay();
      try {
        const events = recordEvents(el);
        const success = successOf(el);
        click(el);
        expect(button(el).getAttribute('aria-busy')).to.equal('true');
        await stateReached(el, 'paying');
        click(el);
        click(el);
        expect(el.state).to.equal('paying');
        expect(button(el).getAttribute('aria-busy')).to.equal('true');
        await success;
        await nextTask();
        expect(spy.calls).to.have.length(1);
        expect(events.map((e) => e.type)).to.deep.equal(['payment-success']);
        expect(button(el).getAttribute('aria-busy')).to.equal('false');
      } finally {
        spy.restore();
      }
    });

    it('pay() resolves with the success detail the event carries', async () => {
      const el = await scripted('approve');
      let fromEvent: unknown;
      el.addEventListener('payment-success', (e) => (fromEvent = e.detail));
      const detail = await el.pay();
      expect(detail).to.equal(fromEvent);
      expect(detail).to.include({ status: 'paid', via: 'callback' });
    });

    it('pay() rejects with the failure detail the event carries', async () => {
      const el = await scripted('decline');
      let fromEvent: unknown;
      el.addEventListener('payment-failure', (e) => (fromEvent = e.detail));
      const detail = await el.pay().then(
        () => expect.fail('pay() resolved'),
        (failure: unknown) => failure,
      );
      expect(detail).to.equal(fromEvent);
      expect(detail).to.include({ stage: 'payment', retryable: false });
    });

    it('pay() while busy waits for the same payment (no second window)', async () => {
      const el = await scripted('approve', 300);
      const spy = spyRequestPay();
      try {
        const first = el.pay();
        await stateReached(el, 'paying');
        const second = el.pay();
        const [a, b] = await Promise.all([first, second]);
        expect(b).to.equal(a);
        expect(spy.calls).to.have.length(1);
      } finally {
        spy.restore();
      }
    });

    it('elements are independent: one busy never refuses a click on another', async () => {
      const busy = await scripted('approve', 800);
      const busySuccess = successOf(busy);
      click(busy);
      await stateReached(busy, 'paying');
      // The other element's PG is unknown: the SDK answers it at once, without touching the open window.
      const other = mount(valid({ pg: 'nonexistent_pg' }));
      const failure = clickToFail(other);
      expect(busy.state, 'the first is paying…').to.equal('paying');
      // iamport.js is warm, so it goes straight to `paying`: its request_pay was called inside the click.
      expect(other.state, '…and the second starts all the same').to.equal('paying');
      expect(await failure, 'it reached request_pay').to.include({ stage: 'payment', code: 'F1001' });
      expect((await busySuccess).status).to.equal('paid');
    });

    it('after a result, the next click starts a new payment', async () => {
      const el = await scripted('decline');
      await clickToFail(el);
      await queueScript({ merchant_uid: el.merchantUid!, action: 'approve' });
      expect((await clickToSucceed(el)).status).to.equal('paid');
    });
  });

  describe('the label', () => {
    afterEach(() => document.documentElement.removeAttribute('lang'));

    const format = (amount: number, currency: string, locale: string) => new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amount);

    it('Korean by default, the amount formatted by Intl.NumberFormat', () => {
      const el = mount({ amount: '1234567' });
      expect(button(el).textContent!.trim()).to.equal(ko.pay(format(1234567, 'KRW', 'ko-KR')));
      expect(button(el).textContent).to.include('1,234,567');
    });

    it('lang="en"', () => {
      const el = mount({ amount: '14000', lang: 'en' });
      expect(button(el).textContent!.trim()).to.equal(`Pay ${format(14000, 'KRW', 'en-US')}`);
    });

    it('lang="ko" wins over the document’s language', () => {
      document.documentElement.lang = 'en';
      const el = mount({ amount: '14000', lang: 'ko' });
      expect(button(el).textContent!.trim()).to.equal(`${format(14000, 'KRW', 'ko-KR')} 결제하기`);
    });

    it('without lang, the document’s language (en-US → English)', () => {
      document.documentElement.lang = 'en-US';
      const el = mount({ amount: '14000' });
      expect(button(el).textContent!.trim()).to.equal(en.pay(format(14000, 'KRW', 'en-US')));
    });

    it('another currency, with decimals', () => {
      const el = mount({ amount: '10.5', currency: 'USD', lang: 'en' });
      expect(button(el).textContent!.trim()).to.equal(`Pay ${format(10.5, 'USD', 'en-US')}`);
      expect(button(el).textContent).to.include('10.50');
    });

    it('follows the amount when the cart changes it', () => {
      const el = mount({ amount: '14000' });
      el.amount = '28000';
      expect(button(el).textContent).to.include(format(28000, 'KRW', 'ko-KR'));
      el.lang = 'en';
      expect(button(el).textContent!.trim()).to.equal(en.pay(format(28000, 'KRW', 'en-US')));
    });

    it('no valid amount → a plain label', () => {
      expect(button(mount({ amount: 'abc' })).textContent!.trim()).to.equal('결제하기');
      expect(button(mount({ lang: 'en' })).textContent!.trim()).to.equal('Pay');
    });

    it('an amount a click would refuse is not shown (0x10, 1e3, half a won)', () => {
      for (const attributes of [{ amount: '0x10' }, { amount: '1e3' }, { amount: '1.5' }, { amount: '1.5', currency: 'krw' }] as Record<string, string>[]) {
        expect(button(mount(attributes)).textContent!.trim(), JSON.stringify(attributes)).to.equal('결제하기');
      }
      expect(button(mount({ amount: '1.5', currency: 'USD', lang: 'en' })).textContent!.trim()).to.equal(`Pay ${format(1.5, 'USD', 'en-US')}`);
    });

    it('the slot replaces the label', async () => {
      const el = await fixture<PortoneCheckoutElement>(html`<portone-checkout amount="14000"><b>지금 구매</b></portone-checkout>`);
      const slot = button(el).querySelector('slot')!;
      const assigned = slot.assignedNodes({ flatten: true });
      expect(assigned.map((n) => n.textContent)).to.deep.equal(['지금 구매']);
      expect(slot.assignedElements()[0].localName).to.equal('b');
    });

    it('texts in the live region follow lang too', async () => {
      const el = mount({ lang: 'en', amount: '0' });
      await clickToFail(el);
      expect(liveRegion(el).textContent).to.equal('Checkout setup error.');
    });
  });

  describe('disabled', () => {
    it('disables the button: a click does nothing', async () => {
      const el = mount({ merchant: MERCHANT, amount: 'abc', disabled: true });
      const events = recordEvents(el);
      expect(button(el).disabled).to.equal(true);
      expect(el.disabled).to.equal(true);
      button(el).click();
      button(el).dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
      await nextTask();
      expect(events).to.deep.equal([]);
      expect(el.state).to.equal('idle');
      el.disabled = false;
      expect(button(el).disabled).to.equal(false);
      expect((await clickToFail(el)).stage, 'enabled again').to.equal('config');
    });

    it('invalid attributes never disable it: a click reports them', async () => {
      const el = mount({ merchant: MERCHANT, amount: '-5' });
      expect(button(el).disabled).to.equal(false);
      expect((await clickToFail(el)).code).to.equal('invalid_attribute');
      expect(button(el).disabled).to.equal(false);
    });
  });

  describe('accessibility', () => {
    before(sdkReady);

    it('is accessible, idle and after a failure', async () => {
      const el = await fixture<PortoneCheckoutElement>(html`<portone-checkout merchant="imp12345678" amount="14000"></portone-checkout>`);
      await expect(el).to.be.accessible();
      el.amount = 'abc';
      await clickToFail(el);
      await expect(el).to.be.accessible();
    });

    it('a real <button type="button">, focusable, with an accessible name', () => {
      const el = mount({ amount: '14000' });
      const b = button(el);
      expect(b).to.be.instanceOf(HTMLButtonElement);
      expect(b.type).to.equal('button');
      expect(b.getAttribute('part')).to.equal('button');
      b.focus();
      expect(el.shadowRoot!.activeElement).to.equal(b);
    });

    it('::part(button) and --portone-checkout-* custom properties style it', () => {
      const style = document.createElement('style');
      style.textContent = 'portone-checkout.themed { --portone-checkout-background: rgb(1, 2, 3); } portone-checkout.themed::part(button) { color: rgb(4, 5, 6); }';
      document.head.append(style);
      try {
        const el = mount({ amount: '14000' });
        el.className = 'themed';
        const computed = getComputedStyle(button(el));
        expect(computed.backgroundColor).to.equal('rgb(1, 2, 3)');
        expect(computed.color).to.equal('rgb(4, 5, 6)');
      } finally {
        style.remove();
      }
    });

    it('a polite live region announces progress, then the result', async () => {
      const el = await scripted('approve', 300);
      const region = liveRegion(el);
      expect(region.getAttribute('aria-live')).to.equal('polite');
      expect(region.textContent).to.equal('');
      const said: string[] = [];
      new MutationObserver(() => said.push(region.textContent ?? '')).observe(region, { childList: true, subtree: true, characterData: true });
      const success = successOf(el);
      click(el);
      expect(button(el).getAttribute('aria-busy')).to.equal('true');
      await success;
      await nextTask();
      // Warm iamport.js, no prepare-url: nothing to load, so the first word is about paying (see the prepare suite for `loading`).
      expect(said.filter((text, i) => text !== said[i - 1])).to.deep.equal([ko.paying, ko.verifying, ko.success]);
      expect(button(el).getAttribute('aria-busy')).to.equal('false');
    });

    it('a failure is announced in the element’s own words; the PG’s stay in the detail', async () => {
      const el = await scripted('decline');
      const detail = await clickToFail(el);
      expect(liveRegion(el).textContent).to.equal('결제하지 못했습니다.');
      expect(detail.message).to.equal('[샌드박스] 카드사 승인 거절: 한도초과');
    });
  });

  describe('text is text', () => {
    it('attribute values in messages and labels are never parsed as HTML', async () => {
      const el = mount({ merchant: MERCHANT, amount: '<img src=x onerror="window.__xss=1">', currency: '<b id=bold>USD</b>' });
      const detail = await clickToFail(el);
      expect(detail.message).to.include('<img src=x onerror=');
      expect(liveRegion(el).textContent).to.equal('결제 설정 오류입니다.');
      expect(el.shadowRoot!.querySelector('img, b')).to.equal(null);
      el.amount = '100';
      expect(button(el).textContent).to.include('<b id=bold>USD</b>');
      expect(el.shadowRoot!.querySelector('img, b')).to.equal(null);
      expect((window as { __xss?: number }).__xss).to.equal(undefined);
    });

    it('an error_msg with markup stays text, verbatim in the detail, never parsed', async () => {
      await sdkReady();
      const attributes = valid();
      await queueScript({ merchant_uid: attributes['merchant-uid'] as string, action: 'decline', error_code: 'X1', error_msg: '<img src=y id=evil>거절' });
      const el = mount(attributes);
      expect((await clickToFail(el)).message).to.equal('<img src=y id=evil>거절');
      expect(el.shadowRoot!.querySelector('img')).to.equal(null);
      expect(document.getElementById('evil')).to.equal(null);
    });
  });

  describe('stale attempts', () => {
    beforeEach(forgetSdk);

    it('amount changed while iamport.js is still loading: that attempt is dropped, no event, no window', async () => {
      const sdkSrc = uniqueSdkUrl();
      const el = create(valid({ 'sdk-src': sdkSrc, amount: '14000' }));
      const events = recordEvents(el);
      const states = recordStates(el);
      document.body.append(el);
      const outcome = el.pay().then(
        () => 'resolved',
        (detail: { code: string }) => detail,
      );
      expect(el.state).to.equal('loading');
      el.amount = '15000'; // the cart changed
      const tag = await scriptTag(sdkSrc);
      if (!window.IMP) await new Promise((resolve) => tag.addEventListener('load', resolve, { once: true }));
      expect(window.IMP, 'iamport.js finished loading').to.have.property('request_pay');
      await nextTask();
      expect(events, 'no event from the old attempt').to.deep.equal([]);
      expect(states()).to.deep.equal(['loading', 'idle']);
      expect(document.querySelector('.imp-dialog'), 'no window opened').to.equal(null);
      // Only pay() hears of it; like every stage-config detail it is not retryable (SPEC §3).
      expect(await outcome, 'pay() is told it was abandoned').to.include({ stage: 'config', code: 'aborted', retryable: false });

      // The next click pays the new amount (the order, stored at request_pay, costs it).
      const spy = spyRequestPay({ action: 'approve' }, { storeOrder: true });
      try {
        const success = await clickToSucceed(el);
        expect(success.amount).to.equal(15000);
        expect(spy.calls.map((c) => c.amount)).to.deep.equal([15000]);
      } finally {
        spy.restore();
      }
    });

    it('an attribute set to the value it already has does not abandon the attempt', async () => {
      const sdkSrc = uniqueSdkUrl();
      const attributes = valid({ 'sdk-src': sdkSrc, pg: 'nonexistent_pg' });
      const el = mount(attributes);
      const failure = failureOf(el);
      click(el);
      el.setAttribute('amount', attributes.amount as string); // a template re-rendering the same cart
      expect(el.state).to.equal('loading');
      expect((await failure).code, 'the attempt went on to request_pay').to.equal('F1001');
    });

    it('disconnected while loading: dropped', async () => {
      const sdkSrc = uniqueSdkUrl();
      const el = mount(valid({ 'sdk-src': sdkSrc }));
      const events = recordEvents(el);
      const states = recordStates(el);
      const outcome = el.pay().catch((detail: unknown) => detail);
      el.remove();
      const tag = await scriptTag(sdkSrc);
      if (!window.IMP) await new Promise((resolve) => tag.addEventListener('load', resolve, { once: true }));
      await nextTask();
      expect(events).to.deep.equal([]);
      expect(states()).to.deep.equal(['loading', 'idle']);
      expect(await outcome).to.include({ code: 'aborted' });
    });

    it('moved in the DOM while loading (removed and inserted in one task): the attempt goes on', async () => {
      const sdkSrc = uniqueSdkUrl();
      const attributes = valid({ 'sdk-src': sdkSrc, pg: 'nonexistent_pg' });
      const el = mount(attributes);
      const failure = failureOf(el);
      click(el);
      expect(el.state).to.equal('loading');
      const box = document.createElement('div');
      document.body.append(box);
      box.append(el); // a move: disconnected, then connected again at once
      expect((await failure).code, 'the attempt went on to request_pay').to.equal('F1001');
      box.remove();
    });

    it('disconnected once the window is open: the result still arrives', async () => {
      await sdkReady();
      const el = await scripted('approve', 300);
      const success = successOf(el);
      click(el);
      await stateReached(el, 'paying');
      el.remove();
      expect((await success).status).to.equal('paid');
    });
  });
});
