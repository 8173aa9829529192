// What the live region says of each outcome: the element's own short text in the element's language (a Korean page
// never shows the server's English, an English page never the PG's Korean), while `detail.message` keeps the
// server's or the SDK's own words. Every known outcome, in both languages; a retryable one adds "try again".
import { expect } from '@open-wc/testing';
import type { PortoneCheckoutElement } from '../../src/index.js';
import { cleanup, clickToFail, forgetSdk, liveRegion, MERCHANT, mount, sdkReady, valid } from './element-helpers.js';
import { queueScript, type Script, uniqueMerchantUid } from './sandbox.js';
import { oneOf, PREPARE_URL } from './verifier.js';

type Attributes = Record<string, string>;

interface Case {
  /** Attributes beside valid ones (`lang` is added per language). */
  attributes: Attributes;
  /** What the payment window does (for outcomes after it). */
  window?: Omit<Script, 'merchant_uid'>;
  ko: string;
  en: string;
  /** What `detail.message` keeps (the server's or the SDK's own words), when the case knows it. */
  message?: string;
}

/** A verify-url that answers this JSON with this status (test/support/endpoints.ts). */
const answering = (status: number, json: Record<string, unknown>) => `/__test/verify?status=${status}&answer=${encodeURIComponent(JSON.stringify(json))}`;
const approved: Case['window'] = { action: 'approve' };

const CASES: Record<string, Case> = {
  'config (invalid attribute)': { attributes: { amount: 'abc' }, ko: '결제 설정 오류입니다.', en: 'Checkout setup error.' },
  'prepare: refused (409)': { attributes: { 'prepare-url': '/__test/prepare?status=409' }, ko: '주문을 만들지 못했습니다.', en: 'The order was not created.', message: 'test endpoint answered 409' },
  'prepare: price_changed': {
    // The reference verifier prices the cart at 15,000 KRW; the page shows 14,000.
    attributes: { 'prepare-url': PREPARE_URL, items: oneOf('priced-15000') },
    ko: '가격이 바뀌어 결제하지 않았습니다. 새 가격: ₩15,000',
    en: 'The price has changed, so nothing was paid. New price: ₩15,000',
    message: 'The price is 15000 KRW, not 14000 KRW.',
  },
  'prepare: 5xx': { attributes: { 'prepare-url': '/__test/prepare?status=500' }, ko: '서버 오류입니다. 다시 시도해 주세요.', en: 'Server error. Please try again.', message: 'test endpoint answered 500' },
  'prepare: no answer (network)': { attributes: { 'prepare-url': 'http://127.0.0.1:9/payments/prepare' }, ko: '서버에 연결하지 못했습니다. 다시 시도해 주세요.', en: 'The server did not answer. Please try again.' },
  'payment: declined': { attributes: {}, window: { action: 'decline' }, ko: '결제하지 못했습니다.', en: 'Payment failed.', message: '[샌드박스] 카드사 승인 거절: 한도초과' },
  'payment: the buyer closed the window (cancelled)': { attributes: {}, window: { action: 'close' }, ko: '결제를 취소했습니다.', en: 'Payment cancelled.', message: '[결제포기] 사용자가 결제를 취소하셨습니다' },
  'verify: forgery': { attributes: { 'verify-url': answering(409, { status: 'forgery', message: 'amount differs' }) }, window: approved, ko: '금액이 달라 환불합니다.', en: 'Wrong amount: refunded.', message: 'amount differs' },
  'verify: duplicate': { attributes: { 'verify-url': answering(409, { status: 'duplicate', message: 'already paid' }) }, window: approved, ko: '이미 결제된 주문이라 환불합니다.', en: 'Already paid: refunded.', message: 'already paid' },
  'verify: closed': { attributes: { 'verify-url': answering(409, { status: 'closed', message: 'order closed' }) }, window: approved, ko: '닫힌 주문이라 환불합니다.', en: 'Order closed: refunded.', message: 'order closed' },
  'verify: mismatch': { attributes: { 'verify-url': answering(409, { status: 'mismatch', message: 'not this order' }) }, window: approved, ko: '다른 주문의 결제입니다.', en: 'The payment is for another order.', message: 'not this order' },
  'verify: unknown_order': { attributes: { 'verify-url': answering(404, { status: 'unknown_order' }) }, window: approved, ko: '주문을 찾을 수 없습니다.', en: 'Order not found.' },
  'verify: failed': { attributes: { 'verify-url': answering(402, { status: 'failed', message: 'PortOne says failed' }) }, window: approved, ko: '결제하지 못했습니다.', en: 'Payment failed.', message: 'PortOne says failed' },
  'verify: cancelled': { attributes: { 'verify-url': answering(402, { status: 'cancelled', message: 'PortOne says cancelled' }) }, window: approved, ko: '결제를 취소했습니다.', en: 'Payment cancelled.', message: 'PortOne says cancelled' },
  'verify: ready (not paid yet)': { attributes: { 'verify-url': answering(402, { status: 'ready', message: 'not paid yet' }) }, window: approved, ko: '아직 결제되지 않았습니다.', en: 'Not paid yet.', message: 'not paid yet' },
  'verify: 200 with status failed': { attributes: { 'verify-url': '/__test/verify?says=failed' }, window: approved, ko: '결제하지 못했습니다.', en: 'Payment failed.', message: 'the test endpoint says so' },
  'verify: 5xx (PortOne unreachable)': {
    attributes: { 'verify-url': answering(502, { status: 'error', retryable: true, message: 'PortOne did not answer' }) },
    window: approved,
    ko: '서버 오류입니다. 다시 시도해 주세요.',
    en: 'Server error. Please try again.',
    message: 'PortOne did not answer',
  },
  'verify: no answer (network)': { attributes: { 'verify-url': 'http://127.0.0.1:9/payments/complete' }, window: approved, ko: '서버에 연결하지 못했습니다. 다시 시도해 주세요.', en: 'The server did not answer. Please try again.' },
  'verify: an answer it does not know': { attributes: { 'verify-url': answering(418, { status: 'teapot', message: 'short and stout' }) }, window: approved, ko: '결제를 확인하지 못했습니다.', en: 'The payment was not confirmed.', message: 'short and stout' },
};

async function failWith({ attributes, window }: Case, lang: 'ko' | 'en'): Promise<{ el: PortoneCheckoutElement; message: string }> {
  const all: Attributes = { ...(valid() as Attributes), ...attributes, lang };
  if (window) await queueScript({ ...window, merchant_uid: all['merchant-uid'] });
  const el = mount(all);
  const { message } = await clickToFail(el);
  return { el, message };
}

describe('<portone-checkout> the live region’s words for each outcome', () => {
  afterEach(cleanup);

  describe('after iamport.js has loaded', () => {
    before(sdkReady);

    for (const [title, c] of Object.entries(CASES)) {
      for (const lang of ['ko', 'en'] as const) {
        it(`${title} (${lang})`, async () => {
          const { el, message } = await failWith(c, lang);
          expect(liveRegion(el).textContent).to.equal(c[lang]);
          if (c.message) expect(message, 'the detail keeps the server’s or the SDK’s own words').to.equal(c.message);
        });
      }
    }

    it('the document’s language decides without a lang attribute', async () => {
      document.documentElement.lang = 'en-GB';
      try {
        const el = mount({ merchant: MERCHANT, amount: '0' });
        await clickToFail(el);
        expect(liveRegion(el).textContent).to.equal('Checkout setup error.');
      } finally {
        document.documentElement.removeAttribute('lang');
      }
    });
  });

  describe('iamport.js does not load (stage sdk, retryable)', () => {
    beforeEach(forgetSdk);

    for (const [lang, text] of [
      ['ko', '결제창을 열지 못했습니다. 다시 시도해 주세요.'],
      ['en', 'The payment window did not open. Please try again.'],
    ] as const) {
      it(lang, async () => {
        const el = mount({ ...(valid() as Attributes), 'sdk-src': `/__test/sdk/404.js?r=${uniqueMerchantUid()}`, lang });
        const detail = await clickToFail(el);
        expect(detail).to.deep.include({ stage: 'sdk', code: 'sdk_error' });
        expect(liveRegion(el).textContent).to.equal(text);
      });
    }
  });
});
