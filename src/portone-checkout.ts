/**
 * Defines `<portone-checkout>`, once: a second copy of the bundle on the page, or a second import, finds the tag taken
 * and leaves it (with a warning if it is another class). Where there is no DOM (server-side rendering), importing it
 * defines nothing and throws nothing. The class itself, without this side effect: portone-checkout-element.ts.
 */
import { hint } from './hint.js';
import { PortoneCheckoutElement } from './portone-checkout-element.js';

export { PortoneCheckoutElement } from './portone-checkout-element.js';

export const TAG = 'portone-checkout';

export function defineElement(tag = TAG, registry: CustomElementRegistry = customElements): CustomElementConstructor {
  const existing = registry.get(tag);
  if (existing) {
    if (existing !== PortoneCheckoutElement && !(existing.prototype instanceof PortoneCheckoutElement)) hint('tag', tag);
    return existing;
  }
  try {
    registry.define(tag, PortoneCheckoutElement);
  } catch {
    // The class already has another name in this registry (a constructor gets one per registry): a subclass takes this one.
    registry.define(tag, class extends PortoneCheckoutElement {});
  }
  return registry.get(tag)!;
}

if (globalThis.customElements) defineElement();

declare global {
  interface HTMLElementTagNameMap {
    'portone-checkout': PortoneCheckoutElement;
  }
}
