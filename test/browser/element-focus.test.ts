// Focus: the host delegates focus to its button, and once the payment window has closed (approved, closed, Escape)
// the focus is on the button again, not lost on <body>: with the mouse, and with the keyboard alone (real key
// presses into the sandbox's window, as in sdk-keyboard.test.ts).
import { expect } from '@open-wc/testing';
import { pressAndAwait, sendKeys } from './keyboard.js';
import type { PortoneCheckoutElement } from '../../src/index.js';
import { button, cleanup, failureOf, mount, sdkReady, successOf, valid } from './element-helpers.js';
import { loadedPaymentFrame, queueScript } from './sandbox.js';
import { withOrder } from './verifier.js';

/** Where the focus is: the element's button, or what else has it. */
function focusOf(el: PortoneCheckoutElement): string {
  if (document.activeElement === el && el.shadowRoot!.activeElement === button(el)) return 'the button';
  return document.activeElement?.localName ?? 'nothing';
}

describe('<portone-checkout> focus', () => {
  before(sdkReady);
  afterEach(cleanup);

  it('the host delegates focus to its button', () => {
    const el = mount(valid());
    el.focus();
    expect(focusOf(el)).to.equal('the button');
  });

  for (const action of ['approve', 'close'] as const) {
    it(`${action} (mouse): the button had the focus → it has it again once the window has closed`, async () => {
      const attributes = await withOrder(valid());
      await queueScript({ merchant_uid: attributes['merchant-uid'] as string, action, delay_ms: 300 });
      const el = mount(attributes);
      el.focus();
      const outcome = action === 'approve' ? successOf(el) : failureOf(el);
      const frame = loadedPaymentFrame();
      button(el).click();
      const opened = await frame;
      // Compared as booleans: a failed assertion that prints a cross-origin frame hangs the runner.
      expect(document.activeElement === opened, 'the window took the focus').to.equal(true);
      await outcome;
      expect(focusOf(el)).to.equal('the button');
    });

    it(`${action} (mouse): the focus was on <body> (a click does not focus a button in Safari) → the button`, async () => {
      const attributes = await withOrder(valid());
      await queueScript({ merchant_uid: attributes['merchant-uid'] as string, action, delay_ms: 300 });
      const el = mount(attributes);
      (document.activeElement as HTMLElement | null)?.blur();
      expect(focusOf(el)).to.equal('body');
      const outcome = action === 'approve' ? successOf(el) : failureOf(el);
      button(el).click();
      await outcome;
      expect(focusOf(el)).to.equal('the button');
    });
  }

  it('the focus elsewhere on the page when the payment started stays where the window gives it back', async () => {
    const attributes = valid();
    await queueScript({ merchant_uid: attributes['merchant-uid'] as string, action: 'close', delay_ms: 300 });
    const el = mount(attributes);
    const field = document.createElement('input');
    document.body.append(field);
    try {
      field.focus();
      const failure = failureOf(el);
      void el.pay().catch(() => {});
      await failure;
      expect(document.activeElement === field, 'pay() from a script: the focus is not taken from the page').to.equal(true);
    } finally {
      field.remove();
    }
  });

  it('keyboard alone: Enter on the button, Enter in the window approves, the focus is back on the button', async () => {
    const el = mount(await withOrder(valid()));
    el.focus();
    const frame = loadedPaymentFrame();
    await sendKeys({ press: 'Enter' });
    const opened = await frame;
    expect(document.activeElement === opened, 'the window took the focus').to.equal(true);
    const detail = await pressAndAwait('Enter', successOf(el));
    expect(detail.status).to.equal('paid');
    expect(focusOf(el)).to.equal('the button');
  });

  it('keyboard alone: Escape closes the window (cancelled), the focus is back on the button', async () => {
    const el = mount(valid());
    el.focus();
    const frame = loadedPaymentFrame();
    await sendKeys({ press: 'Enter' });
    await frame;
    const detail = await pressAndAwait('Escape', failureOf(el));
    expect(detail).to.deep.include({ stage: 'payment', cancelled: true });
    expect(focusOf(el)).to.equal('the button');
  });
});
