// custom-elements.json (built from the class JSDoc) must describe the element as it really is.
import { expect } from '@open-wc/testing';
import { PortoneCheckoutElement } from '../../src/index.js';

interface Manifest {
  modules: Array<{ declarations?: Array<{ tagName?: string; attributes?: Array<{ name: string; fieldName?: string }>; events?: Array<{ name: string }>; cssParts?: Array<{ name: string }>; slots?: Array<{ name: string }> }> }>;
}

describe('custom-elements.json', () => {
  it('lists every observed attribute, its property, the events, parts and slot', async () => {
    const manifest = (await (await fetch('/custom-elements.json')).json()) as Manifest;
    const element = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === 'portone-checkout');
    expect(element, 'the element is in the manifest').to.exist;
    const attributes = element!.attributes!.map((a) => a.name).sort();
    expect(attributes).to.deep.equal([...PortoneCheckoutElement.observedAttributes, 'state'].sort());
    for (const { name, fieldName } of element!.attributes!) {
      if (fieldName) expect(fieldName in PortoneCheckoutElement.prototype, `${name} → ${fieldName}`).to.equal(true);
    }
    expect(element!.events!.map((e) => e.name).sort()).to.deep.equal(['payment-failure', 'payment-success']);
    expect(element!.cssParts!.map((p) => p.name)).to.include('button');
    expect(element!.slots!.map((s) => s.name)).to.deep.equal(['']);
  });
});
