// The test payment window's page: every text from the merchant's page (order name, merchant code, the page URL's
// origin) is escaped by the auto-escaping template (sandbox/window/html.ts), in elements and in attribute values,
// while the page's own markup is kept.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { html, trusted } from '../../sandbox/window/html.js';
import { type SandboxClient, startTestSandbox, uid } from './helpers.js';

describe('html``: the auto-escaping template', () => {
  test('values are escaped; fragments, lists of fragments and trusted markup are not; null and undefined are empty', () => {
    const name = `<img src=x onerror="alert('x')">&`;
    const items = ['<a>', '<b>'].map((item) => html`<li>${item}</li>`);
    assert.equal(
      html`<p title="${name}">${name}</p><ul>${items}</ul>${trusted('<hr>')}${null}${undefined}${0}`.markup,
      '<p title="&#60;img src=x onerror=&#34;alert(&#39;x&#39;)&#34;&#62;&#38;">&#60;img src=x onerror=&#34;alert(&#39;x&#39;)&#34;&#62;&#38;</p>' +
        '<ul><li>&#60;a&#62;</li><li>&#60;b&#62;</li></ul><hr>0',
    );
  });
});

describe("the payment window's page", () => {
  let sb: SandboxClient;
  before(async () => {
    sb = await startTestSandbox();
  });
  after(() => sb.sandbox.close());

  test("the order name and the merchant code from the page are shown as text, never as markup", async () => {
    const hostile = `</dd><script>alert(1)</script>"><b x="`;
    const checkout = await fetch(`${sb.url}/__sandbox/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        user_code: `imp"><script>alert(2)</script>`,
        request_id: 'req_window_page',
        device: 'pc',
        page_url: 'http://shop.test/checkout?x="<y>',
        params: { pg: 'html5_inicis.INIpayTest', merchant_uid: uid('window'), amount: 1000, name: hostile },
      }),
    });
    const { window_url } = (await checkout.json()) as { window_url: string };
    const page = await (await fetch(window_url)).text();
    assert.doesNotMatch(page, /<script>alert/, 'no script from the page');
    assert.doesNotMatch(page, /<b x=/, 'no element from the page');
    assert.match(page, /<dd>&#60;\/dd&#62;&#60;script&#62;alert\(1\)&#60;\/script&#62;&#34;&#62;&#60;b x=&#34;<\/dd>/);
    assert.match(page, /<dd>imp&#34;&#62;&#60;script&#62;alert\(2\)&#60;\/script&#62;<\/dd>/);
    assert.match(page, /data-target-origin="http:\/\/shop\.test"/);
    // The window's own markup: its buttons, its script and its stylesheet (quotes kept as CSS needs them).
    assert.match(page, /<button type="submit" name="action" value="approve" class="primary" autofocus>결제 승인<\/button>/);
    assert.match(page, /<script src="\/__sandbox\/window\.js"><\/script>/);
    assert.match(page, /font-family: system-ui, "Apple SD Gothic Neo"/);
  });
});
