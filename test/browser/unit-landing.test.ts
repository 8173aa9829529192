// landing.ts on its own: the address without the landing parameters (the page's own kept exactly as written),
// and which of the candidates offered in one pass claims a landing (with what), once.
import { expect } from '@open-wc/testing';
import { type LandingCandidate, type LandingFields, offerLanding, rememberPayer, withoutLanding } from '../../src/landing.js';

const CLEANED: [title: string, href: string, clean: string][] = [
  ['every landing parameter goes', 'https://shop.example/done?imp_uid=imp_1&merchant_uid=o-1&imp_success=true&success=true&error_code=F1&error_coe=F1&error_msg=x', 'https://shop.example/done'],
  ['the page’s own stay, in order and as written', 'https://shop.example/done?a=%20b&imp_uid=imp_1&flag&path=/x/y&merchant_uid=o-1&c=d+e', 'https://shop.example/done?a=%20b&flag&path=/x/y&c=d+e'],
  ['the hash stays', 'https://shop.example/done?imp_uid=imp_1#receipt', 'https://shop.example/done#receipt'],
  ['a name that only starts like a landing parameter stays', 'https://shop.example/?imp_uid_hint=1&merchant_uids=2', 'https://shop.example/?imp_uid_hint=1&merchant_uids=2'],
  ['no query: unchanged', 'https://shop.example/done', 'https://shop.example/done'],
];

describe('landing: withoutLanding', () => {
  for (const [title, href, clean] of CLEANED) {
    it(title, () => {
      expect(withoutLanding(href)).to.equal(clean);
    });
  }
});

describe('landing: offerLanding', () => {
  const original = location.href;
  const made: HTMLElement[] = [];
  let n = 0;

  afterEach(() => {
    history.replaceState(history.state, '', original);
    for (const el of made.splice(0)) el.remove();
  });

  /** A landing in the address bar, with ids no other test uses (a landing is claimed once per page). */
  function land(fields: LandingFields = {}): LandingFields {
    const landing = { imp_uid: `imp_unit_${++n}_${Date.now()}`, merchant_uid: `order-unit-${n}`, ...fields };
    const url = new URL(original);
    for (const [key, value] of Object.entries(landing)) url.searchParams.append(key, value);
    history.replaceState(history.state, '', url.href);
    return landing;
  }

  /** A connected element that records the landings it is given. */
  function candidate(merchantUid: string | null = null, connected = true): LandingCandidate & { claimed: LandingFields[] } {
    const el = Object.assign(document.createElement('landing-candidate'), { merchantUid, paymentId: null, storeId: null, claimed: [] as LandingFields[] });
    const candidate = Object.assign(el, { claimLanding: (fields: LandingFields) => void el.claimed.push(fields) });
    if (connected) document.body.append(candidate);
    made.push(candidate);
    return candidate;
  }

  /** Offer the landing to these candidates in one pass, as a page's elements upgrade together; let the choice be made. */
  async function offer(...candidates: LandingCandidate[]): Promise<void> {
    for (const c of candidates) offerLanding(c);
    await Promise.resolve();
  }

  it('no landing in the address: nobody claims, the address stays', async () => {
    const first = candidate();
    await offer(first);
    expect(first.claimed).to.deep.equal([]);
    expect(location.href).to.equal(original);
  });

  it('the one whose merchant-uid matches claims it, with every landing field; the address loses them at once', async () => {
    const landing = land({ imp_success: 'true', error_msg: '' });
    const first = candidate('another-order');
    const mine = candidate(landing.merchant_uid);
    await offer(first, mine);
    expect(mine.claimed).to.deep.equal([landing]);
    expect(first.claimed).to.deep.equal([]);
    expect(location.href).to.equal(original);
  });

  it('none matching: the one that remembered paying it, by id', async () => {
    const landing = land();
    const first = candidate();
    const payer = candidate();
    payer.id = `payer-${n}`;
    rememberPayer(landing.merchant_uid, payer);
    await offer(first, payer);
    expect(payer.claimed).to.have.length(1);
    expect(first.claimed).to.deep.equal([]);
  });

  it('none matching, nobody remembered: the first connected', async () => {
    land();
    const gone = candidate(null, false);
    const first = candidate();
    const second = candidate();
    await offer(gone, first, second);
    expect([gone, first, second].map((c) => c.claimed.length)).to.deep.equal([0, 1, 0]);
  });

  it('the same landing put back in the address is not claimed again', async () => {
    const landing = land();
    const first = candidate();
    await offer(first);
    land(landing);
    const again = candidate();
    await offer(again);
    expect(first.claimed).to.have.length(1);
    expect(again.claimed).to.deep.equal([]);
  });
});
