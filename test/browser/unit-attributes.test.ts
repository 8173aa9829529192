// The attribute table (src/attributes.ts) is the one source of the observed attributes, the camelCase properties,
// the JSX types and custom-elements.json: each of them must say exactly what the table says. The JSX types are
// checked at compile time (`npm run typecheck` fails on a drift), the rest here.
import { expect } from '@open-wc/testing';
import { ATTRIBUTES, type AttributeName, type AttributeProperties, type Kind, propertyOf } from '../../src/attributes.js';
import type { CommonJsxAttributes, PortoneCheckoutJsxAttributes } from '../../src/jsx-attributes.js';
import { PortoneCheckoutElement } from '../../src/portone-checkout-element.js';
import '../../src/portone-checkout.js';

type Section = keyof typeof ATTRIBUTES;
interface Row {
  section: Section;
  attribute: string;
  kind: string;
}

const KINDS: readonly Kind[] = ['text', 'amount', 'count', 'flag', 'quota', 'json'];
const ROWS: Row[] = Object.entries(ATTRIBUTES).flatMap(([section, rows]) =>
  Object.entries(rows).map(([attribute, column]) => ({ section: section as Section, attribute, kind: column.split(' ')[0] })),
);
/** Rows that are the element's own properties: HTMLElement's (`lang`) stay HTMLElement's. */
const PROPERTY_ROWS = ROWS.filter((row) => row.section !== 'html');

/** `true` only when A and B are the same union: a compile-time check. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Jsx = PortoneCheckoutJsxAttributes;
/** Compile-time: JSX knows each attribute of the table, and no other beyond what JSX gives every element. */
const jsxAttributesAreTheTable: Same<Exclude<keyof Jsx, keyof CommonJsxAttributes>, AttributeName> = true;
/** Compile-time: each kind's JSX type. */
const jsxTypesFollowTheKinds: [
  Same<Jsx['merchant'], string | undefined>,
  Same<Jsx['amount'], string | number | undefined>,
  Same<Jsx['tax-free'], string | number | undefined>,
  Same<Jsx['escrow'], boolean | undefined>,
  Same<Jsx['disabled'], boolean | undefined>,
  Same<Jsx['items'], string | undefined>,
  Same<Jsx['card-quota'], string | undefined>,
  Same<Jsx['lang'], string | undefined>,
] = [true, true, true, true, true, true, true, true];
/** Compile-time: each property's type (flags boolean, the rest attribute text); `lang` stays HTMLElement's string. */
const propertyTypesFollowTheKinds: [
  Same<AttributeProperties['buyerTel'], string | null>,
  Same<AttributeProperties['mRedirectUrl'], string | null>,
  Same<AttributeProperties['escrow'], boolean>,
  Same<PortoneCheckoutElement['disabled'], boolean>,
  Same<PortoneCheckoutElement['lang'], string>,
] = [true, true, true, true, true];

interface ManifestAttribute {
  name: string;
  fieldName?: string;
  type?: { text: string };
  description?: string;
}
interface ManifestMember {
  kind: string;
  name: string;
  attribute?: string;
  type?: { text: string };
  description?: string;
}

async function manifestElement(): Promise<{ attributes: ManifestAttribute[]; members: ManifestMember[] }> {
  const manifest = await (await fetch('/custom-elements.json')).json();
  const declarations = manifest.modules.flatMap((m: { declarations?: unknown[] }) => m.declarations ?? []);
  return declarations.find((d: { tagName?: string }) => d.tagName === 'portone-checkout');
}

describe('the attribute table', () => {
  it('compiles to JSX and property types that follow it (see the compile-time checks above)', () => {
    expect([jsxAttributesAreTheTable, ...jsxTypesFollowTheKinds, ...propertyTypesFollowTheKinds].every(Boolean)).to.equal(true);
  });

  it('has one row per attribute, each of a known kind', () => {
    const names = ROWS.map((row) => row.attribute);
    expect(new Set(names).size, 'no attribute twice').to.equal(names.length);
    for (const { attribute, kind } of ROWS) {
      expect(KINDS, attribute).to.include(kind);
      expect(attribute, 'kebab-case').to.match(/^[a-z]+(-[a-z]+)*$/);
    }
  });

  it('is what the element observes, in its order', () => {
    expect(PortoneCheckoutElement.observedAttributes).to.deep.equal(ROWS.map((row) => row.attribute));
  });

  it('gives each element and request_pay row a camelCase property on the class', () => {
    for (const { attribute } of PROPERTY_ROWS) {
      const descriptor = Object.getOwnPropertyDescriptor(PortoneCheckoutElement.prototype, propertyOf(attribute));
      expect(descriptor?.get && descriptor.set, `${attribute} → ${propertyOf(attribute)}`).to.be.a('function');
    }
    expect(Object.getOwnPropertyDescriptor(PortoneCheckoutElement.prototype, 'lang'), 'lang stays HTMLElement’s').to.equal(undefined);
  });

  it('camelCases by the same rule as GitHub elements', () => {
    expect(['m-redirect-url', 'channel-key', 'sdk-src', 'pg'].map(propertyOf)).to.deep.equal(['mRedirectUrl', 'channelKey', 'sdkSrc', 'pg']);
  });

  it('each property reads and writes its attribute as its kind says', () => {
    const el = document.createElement('portone-checkout') as unknown as Record<string, unknown> & HTMLElement;
    for (const { attribute, kind } of PROPERTY_ROWS) {
      const property = propertyOf(attribute);
      if (kind === 'flag') {
        expect(el[property], `${property} absent`).to.equal(false);
        el[property] = true;
        expect(el.getAttribute(attribute), `${property} = true`).to.equal('');
        expect(el[property]).to.equal(true);
        el[property] = false;
        expect(el.hasAttribute(attribute), `${property} = false`).to.equal(false);
      } else {
        expect(el[property], `${property} absent`).to.equal(null);
        el.setAttribute(attribute, 'x y');
        expect(el[property], `${property} reads the attribute`).to.equal('x y');
        el[property] = '2';
        expect(el.getAttribute(attribute), `${property} writes it`).to.equal('2');
        el[property] = null;
        expect(el.hasAttribute(attribute), `${property} = null removes it`).to.equal(false);
      }
    }
    el.items = [{ id: 'chair-01', quantity: 2 }];
    expect(el.getAttribute('items'), 'an object is written as JSON').to.equal('[{"id":"chair-01","quantity":2}]');
  });

  describe('custom-elements.json', () => {
    it('lists every row as an attribute, with its property, type and description, then the reflected state', async () => {
      const { attributes } = await manifestElement();
      expect(attributes.map((a) => a.name)).to.deep.equal([...ROWS.map((row) => row.attribute), 'state']);
      for (const { section, attribute, kind } of ROWS) {
        const listed = attributes.find((a) => a.name === attribute)!;
        expect(listed.description, `${attribute} is documented`).to.be.a('string').and.not.equal('');
        expect(listed.fieldName, `${attribute}'s property`).to.equal(section === 'html' ? undefined : propertyOf(attribute));
        expect(listed.type?.text, `${attribute}'s type`).to.equal(kind === 'flag' ? 'boolean' : section === 'html' ? 'string' : 'string | null');
      }
    });

    it('lists each property row as a field member tied to its attribute', async () => {
      const { attributes, members } = await manifestElement();
      for (const { attribute } of PROPERTY_ROWS) {
        const member = members.find((m) => m.name === propertyOf(attribute));
        expect(member, propertyOf(attribute)).to.include({ kind: 'field', attribute });
        expect(member!.description, `${attribute}: the attribute's description`).to.equal(attributes.find((a) => a.name === attribute)!.description);
      }
      expect(members.map((m) => m.name)).not.to.include('lang');
    });
  });
});
