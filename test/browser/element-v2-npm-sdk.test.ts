// A shop that already uses PortOne's own npm package, @portone/browser-sdk/v2, and adds the element: the official
// loader, pointed at the sandbox's stand-in SDK (its __INTERNAL__setPortOneSdkUrl), pays by itself, and the element
// on the same page pays through the window.PortOne that loader injected (its own sdk-src is PortOne's CDN, which this
// machine cannot reach: only the SDK already there can pay), with the verifier's answer in its events.
import * as PortOne from '@portone/browser-sdk/v2';
import { expect } from '@open-wc/testing';
import type { PaymentSuccessDetailV2 } from '../../src/events.js';
import { cleanup, clickToSucceed, mount } from './element-helpers.js';
import { sandboxV2, V2_SDK_URL } from './sandbox.js';
import { storeV2Order, VERIFY_URL } from './verifier.js';

let n = 0;
const uniquePaymentId = () => `npm${Date.now().toString(36)}${(n++).toString(36)}`;
const CDN = 'https://cdn.portone.io/v2/browser-sdk.js';

describe('@portone/browser-sdk/v2 (the npm loader) and the element on one page', () => {
  afterEach(cleanup);

  it('the npm loader pays through the sandbox; then the element pays through the SDK it loaded, with payment-success', async () => {
    PortOne.__INTERNAL__setPortOneSdkUrl(V2_SDK_URL);
    const first = uniquePaymentId();
    await sandboxV2.queueScript({ paymentId: first, action: 'approve' });
    const answer = await PortOne.requestPayment({ storeId: 'store-sandbox', channelKey: 'channel-key-sandbox', paymentId: first, orderName: '쿠션', totalAmount: 9000, currency: 'CURRENCY_KRW', payMethod: 'CARD' });
    expect(answer?.code).to.equal(undefined);
    expect(answer?.paymentId).to.equal(first);
    expect((await sandboxV2.payment(first)).status).to.equal('PAID');
    expect(document.querySelectorAll(`script[src="${V2_SDK_URL}"]`).length, 'the npm loader injected the SDK').to.equal(1);

    const paymentId = uniquePaymentId();
    await storeV2Order({ paymentId, amount: 14000 });
    await sandboxV2.queueScript({ paymentId, action: 'approve' });
    const el = mount({ 'store-id': 'store-sandbox', 'channel-key': 'channel-key-sandbox', amount: '14000', name: '노르웨이 회전 의자', 'payment-id': paymentId, 'verify-url': VERIFY_URL });
    expect(el.sdkSrc, 'no sdk-src: the element would load PortOne’s CDN').to.equal(null);
    const detail = (await clickToSucceed(el)) as unknown as PaymentSuccessDetailV2;
    const paid = await sandboxV2.payment(paymentId);
    expect(paid.status).to.equal('PAID');
    expect(detail).to.deep.include({ version: 'v2', paymentId, txId: paid.transactionId, amount: 14000, currency: 'KRW', status: 'paid', via: 'callback' });
    expect(detail.verification).to.include({ status: 'paid', paymentId });
    expect(document.querySelector(`script[src="${CDN}"]`), 'the element loaded nothing itself').to.equal(null);
    expect(document.querySelectorAll(`script[src="${V2_SDK_URL}"]`).length).to.equal(1);
  });
});
