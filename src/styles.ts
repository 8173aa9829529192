/**
 * The shadow root's styles, adopted as a constructable stylesheet (which a page's CSP `style-src` does not
 * block), with a <style> element for browsers without adoptedStyleSheets (Safari before 16.4). The shadow tree
 * holds one button and one span (the live region), so plain selectors reach them.
 */
const CSS =
  ':host{display:inline-block}:host([hidden]){display:none}' +
  'button{font:var(--portone-checkout-font,inherit);background:var(--portone-checkout-background,#1f5eff);' +
  'color:var(--portone-checkout-color,#fff);border:var(--portone-checkout-border,none);' +
  'border-radius:var(--portone-checkout-radius,8px);padding:var(--portone-checkout-padding,.75em 1.25em);cursor:pointer;width:100%}' +
  ':focus-visible{outline:var(--portone-checkout-focus-ring,3px solid #ffb300);outline-offset:2px}' +
  ':disabled,[aria-busy=true]{opacity:var(--portone-checkout-disabled-opacity,.55);cursor:default}' +
  'span{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}';

let sheet: CSSStyleSheet | undefined;

export function styles(root: ShadowRoot): void {
  if ('adoptedStyleSheets' in root) {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
    }
    root.adoptedStyleSheets = [sheet];
  } else {
    (root as ShadowRoot).innerHTML = `<style>${CSS}</style>`;
  }
}
