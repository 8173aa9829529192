/**
 * The developer console's hints: what the element says only when something in a page's setup is wrong or doubtful,
 * in words long enough to act on. They are a lazily imported chunk of their own, dist/portone-checkout-hints.js
 * (imported by hint.ts, and by v2.ts for V2's, at the moment a hint is due, never before), so that a page set up
 * right downloads none of this text (scripts/size.mjs). Each hint is a code (the fallback line says it when this
 * chunk cannot load) and the text it prints. Only console text belongs here: nothing an event's detail or the live
 * region says, which must be there at once.
 */
export const HINTS = {
  /** A merchant_uid the element made up: a server that verifies only the orders it stored cannot know it. */
  uid: () => '<portone-checkout> generated a merchant_uid (no prepare-url, no merchant-uid): the reference server answers 404 unknown_order for it.',
  /** The same in V2 (v2.ts): a paymentId the element made up. */
  paymentId: () => '<portone-checkout> generated a paymentId (no prepare-url, no payment-id): the reference server answers 404 unknown_order for it.',
  /** A prepare or verify request that got no answer at all (`message`: the URL and the browser's reason). */
  cors: (message: string) => `<portone-checkout> ${message} Check the URL (absolute?) and CORS (the server's ALLOWED_ORIGINS).`,
  /** defineElement found the tag taken by another class. */
  tag: (tag: string) => `<${tag}> is defined by another class; that one is used.`,
};
