/**
 * What the browser tests and the dev server's middleware agree on about the page's own origin. No Node import:
 * the browser tests read it too.
 */

/** Where the page's origin serves the reference verifier (test/support/same-origin.ts). */
export const VERIFIER_PREFIX = '/__verifier';

/**
 * A request that carries this header is the test arranging a situation (an order stored before the page renders),
 * not the element: the log of what the endpoints received (test/support/received.ts) leaves it out.
 */
export const SETUP_HEADER = 'x-test-setup';
