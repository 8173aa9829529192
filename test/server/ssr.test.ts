// Server-side rendering (SPEC §3): every browser entry of the package imports in plain Node (no DOM, as a Next.js
// 'use client' component, a Remix route or an Astro island does on the server) without throwing, and registers
// nothing there: no customElements, no HTMLElement, no window or document appear. A React component that renders
// <portone-checkout> renders to HTML with react-dom/server.
import assert from 'node:assert/strict';
import { test } from 'node:test';

const DOM_GLOBALS = ['customElements', 'HTMLElement', 'window', 'document'];

/** What the package's `exports` and its files offer a bundler or Node on the server. */
const ENTRIES = [
  'portone-checkout',
  'portone-checkout/element',
  'portone-checkout/portone-checkout.js',
  new URL('../../dist/esm/index.js', import.meta.url).href,
  new URL('../../dist/esm/portone-checkout-element.js', import.meta.url).href,
  new URL('../../dist/portone-checkout.js', import.meta.url).href,
];

test('plain Node has no DOM (the premise)', () => {
  for (const name of DOM_GLOBALS) assert.equal(name in globalThis, false, `${name} in plain Node`);
});

for (const entry of ENTRIES) {
  test(`import('${entry.replace(/^.*\/dist\//, 'dist/')}') works without a DOM and defines nothing`, async () => {
    const module = (await import(entry)) as { PortoneCheckoutElement?: unknown };
    assert.equal(typeof module.PortoneCheckoutElement, 'function', 'the class is exported');
    for (const name of DOM_GLOBALS) assert.equal(name in globalThis, false, `${name} stays absent`);
  });
}

test('react-dom/server renders a component that imports the package and uses <portone-checkout>', async () => {
  // By name, as an app imports it (a variable: the typecheck runs before the build that makes its declarations).
  await import(ENTRIES[0] as string);
  const { createElement } = await import('react');
  // Typed here: the project has @types/react but not @types/react-dom.
  const { renderToString } = (await import('react-dom/server' as string)) as { renderToString(node: unknown): string };
  const html = renderToString(createElement('portone-checkout', { merchant: 'imp12345678', amount: '14000', 'prepare-url': '/payments/prepare' }));
  assert.match(html, /^<portone-checkout merchant="imp12345678" amount="14000" prepare-url="\/payments\/prepare"><\/portone-checkout>$/);
  for (const name of DOM_GLOBALS) assert.equal(name in globalThis, false, `${name} stays absent`);
});
