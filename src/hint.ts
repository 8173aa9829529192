/**
 * Print a console hint (hints.ts). Its text is imported when it is due, a lazily imported chunk beside the bundle
 * (dist/portone-checkout-hints.js), so it reaches the console a moment later; if that chunk does not load, a short
 * line with the hint's code and `detail` stands in for it. Nothing waits for it: a hint never delays a payment.
 */
import type { HINTS } from './hints.js';

export const hint = (code: keyof typeof HINTS, detail = ''): void =>
  void import('./hints.js').then(
    ({ HINTS }) => console.warn(HINTS[code](detail)),
    () => console.warn('<portone-checkout> hint', code, detail),
  );
