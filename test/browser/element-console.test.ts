// What the element tells the developer on the console: a merchant_uid it generates (once per page: a server that
// verifies only orders it stored answers 404 unknown_order after the buyer paid), and a prepare or verify request
// that got no answer at all (CORS refusal, network): the URL, and where to look. This file's first payment is the
// page's first generated merchant_uid.
import { expect } from '@open-wc/testing';
import { cleanup, clickToFail, clickToSucceed, MERCHANT, mount, SDK_URL, sdkReady, spyRequestPay, valid } from './element-helpers.js';
import { hintsPrinted } from './hints.js';
import { PREPARE_URL, VERIFY_URL, withOrder } from './verifier.js';

/** console.warn calls made while `fn` runs (and still passed on), its hints included (printed a moment later: hints.ts). */
async function warnings(fn: () => Promise<unknown>): Promise<string[]> {
  const said: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    said.push(args.map(String).join(' '));
    original.apply(console, args);
  };
  try {
    await fn();
    await hintsPrinted();
  } finally {
    console.warn = original;
  }
  return said;
}

describe('<portone-checkout> console hints', () => {
  before(sdkReady);
  afterEach(cleanup);

  it('a generated merchant_uid is said once per page, not once per payment', async () => {
    // No prepare-url, no merchant-uid: the element makes one up for every attempt (the verifier learns of each at request_pay).
    const attributes = { merchant: MERCHANT, amount: '1000', 'sdk-src': SDK_URL, 'verify-url': VERIFY_URL };
    const spy = spyRequestPay({ action: 'approve' }, { storeOrder: true });
    try {
      const said = await warnings(async () => {
        await clickToSucceed(mount(attributes));
        await clickToSucceed(mount(attributes));
      });
      expect(spy.calls.map((c) => typeof c.merchant_uid)).to.deep.equal(['string', 'string']);
      expect(spy.calls[0].merchant_uid).not.to.equal(spy.calls[1].merchant_uid);
      expect(said).to.have.length(1);
      expect(said[0]).to.include('merchant_uid').and.include('prepare-url').and.include('merchant-uid').and.include('404 unknown_order');
    } finally {
      spy.restore();
    }
  });

  it('a merchant-uid on the page, or a prepare-url, generates nothing and says nothing', async () => {
    const spy = spyRequestPay({ action: 'approve' });
    try {
      const said = await warnings(async () => {
        await clickToSucceed(mount(await withOrder(valid())));
        await clickToSucceed(mount({ merchant: MERCHANT, amount: '1000', 'sdk-src': SDK_URL, 'prepare-url': PREPARE_URL, 'verify-url': VERIFY_URL }));
      });
      expect(said).to.deep.equal([]);
    } finally {
      spy.restore();
    }
  });

  for (const [stage, attribute] of [
    ['verify', 'verify-url'],
    ['prepare', 'prepare-url'],
  ] as const) {
    it(`a ${stage} request that gets no answer names the URL, CORS, ALLOWED_ORIGINS and an absolute URL`, async () => {
      const url = `http://127.0.0.1:9/payments/${stage}`;
      const spy = spyRequestPay({ action: 'approve' });
      try {
        let detail;
        const said = await warnings(async () => (detail = await clickToFail(mount(valid({ [attribute]: url })))));
        expect(detail).to.deep.include({ stage, code: 'network', retryable: true });
        expect(said).to.have.length(1);
        expect(said[0]).to.include(url).and.include('CORS').and.include('ALLOWED_ORIGINS').and.include('absolute');
      } finally {
        spy.restore();
      }
    });
  }

  it('an answer, even a refusal, is no network problem: no hint', async () => {
    const spy = spyRequestPay({ action: 'approve' });
    try {
      const said = await warnings(() => clickToFail(mount(valid({ 'verify-url': '/__test/verify?status=403' }))));
      expect(said).to.deep.equal([]);
    } finally {
      spy.restore();
    }
  });
});
