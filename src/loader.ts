/**
 * dist/loader.js: the one-tag embed. A classic script that waits for the first <portone-checkout> in the
 * page (now or later), then loads the element bundle from its own directory as a module script carrying
 * its own CSP nonce, and preconnects to the SDK host. Included twice, it runs once.
 */
((w: Window & { portoneCheckoutLoader?: 1 }, d: Document) => {
  const self = d.currentScript as HTMLScriptElement | null;
  if (w.portoneCheckoutLoader || !self) return;
  w.portoneCheckoutLoader = 1;
  const add = (el: HTMLElement) => d.head.append(el);
  const load = (found: Element) => {
    observer.disconnect();
    try {
      const hint = d.createElement('link');
      hint.rel = 'preconnect';
      hint.href = new URL(found.getAttribute('sdk-src') || 'https://cdn.iamport.kr', location.href).origin;
      add(hint);
    } catch {
      // A malformed sdk-src: no hint. That element's own payment fails (stage config); the page's others still work.
    }
    const module = d.createElement('script');
    module.type = 'module';
    module.src = new URL('portone-checkout.js', self.src).href;
    module.nonce = self.nonce;
    add(module);
  };
  const scan = () => {
    const found = d.querySelector('portone-checkout');
    if (found) load(found);
  };
  const observer = new MutationObserver(scan);
  observer.observe(d, { childList: true, subtree: true });
  scan();
})(window, document);
