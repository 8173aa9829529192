// A person operates the payment window with the keyboard alone: no script, real key presses (sendKeys
// goes through the browser's input pipeline into the focused cross-origin frame).
import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { loadedPaymentFrame, loadSdk, payment, type Rsp, uniqueMerchantUid } from './sandbox.js';

/** Open an unscripted window; resolves once it has loaded, with the promise of the callback. */
async function openWindow(params: Record<string, unknown> = {}): Promise<{ merchant_uid: string; frame: HTMLIFrameElement; result: Promise<Rsp> }> {
  const IMP = await loadSdk();
  IMP.init('imp12345678');
  const merchant_uid = uniqueMerchantUid('kbd');
  const loaded = loadedPaymentFrame();
  const result = new Promise<Rsp>((resolve) => IMP.request_pay({ pg: 'html5_inicis', pay_method: 'card', amount: 4200, name: '키보드', merchant_uid, ...params }, resolve));
  const frame = await loaded;
  return { merchant_uid, frame, result };
}

/**
 * Press a key that makes the window answer (and so removes its frame), resolving with what it did. The key
 * goes down, the answer is awaited, then the key goes up: a keyUp sent to a frame that is already gone is
 * never acknowledged by Chromium, and a plain `press` would then hang now and then.
 */
async function pressAndAwait<T>(key: string, outcome: Promise<T>): Promise<T> {
  await sendKeys({ down: key });
  try {
    return await outcome;
  } finally {
    await sendKeys({ up: key });
  }
}

describe('payment window: keyboard only', () => {
  let opener: HTMLButtonElement;

  beforeEach(() => {
    opener = document.createElement('button');
    opener.textContent = '결제하기';
    document.body.append(opener);
    opener.focus();
  });

  afterEach(() => {
    opener.remove();
    expect(document.querySelector('.imp-dialog')).to.equal(null);
  });

  it('the window takes the focus when it opens', async () => {
    const { frame, result } = await openWindow();
    expect(document.activeElement).to.equal(frame);
    await pressAndAwait('Escape', result);
  });

  it('Enter on the focused primary button approves', async () => {
    const { merchant_uid, result } = await openWindow();
    const rsp = await pressAndAwait('Enter', result);
    expect(rsp.success).to.equal(true);
    expect(rsp.merchant_uid).to.equal(merchant_uid);
    expect(rsp.paid_amount).to.equal(4200);
    expect((await payment(rsp.imp_uid as string)).status).to.equal('paid');
    expect(document.activeElement, 'focus returns to what had it before the window').to.equal(opener);
  });

  it('Escape closes: the callback reports the abandoned payment', async () => {
    const { result } = await openWindow();
    const rsp = await pressAndAwait('Escape', result);
    expect(rsp.success).to.equal(false);
    expect(rsp.error_msg).to.equal('[결제포기] 사용자가 결제를 취소하셨습니다');
    expect(rsp).not.to.have.property('error_code');
    expect((await payment(rsp.imp_uid as string)).status).to.equal('ready');
    expect(document.activeElement).to.equal(opener);
  });

  it('Tab to the decline button, Enter declines', async () => {
    const { result } = await openWindow();
    await sendKeys({ press: 'Tab' });
    const rsp = await pressAndAwait('Enter', result);
    expect(rsp.success).to.equal(false);
    expect(rsp.status).to.equal('failed');
    expect(rsp.error_code).to.be.a('string');
  });

  it('Tab to the amount field, type an amount, Enter pays that amount', async () => {
    const { result } = await openWindow({ amount: 10000 });
    for (let i = 0; i < 3; i++) await sendKeys({ press: 'Tab' }); // decline, virtual account, amount field
    await sendKeys({ press: 'Control+A' });
    await sendKeys({ type: '8800' });
    const rsp = await pressAndAwait('Enter', result);
    expect(rsp.success).to.equal(true);
    expect(rsp.paid_amount).to.equal(8800);
    expect((await payment(rsp.imp_uid as string)).amount).to.equal(8800);
  });
});
