/**
 * Text every database stores as given and every UTF-8 channel carries: no NUL (PostgreSQL refuses it in TEXT) and no
 * UTF-16 surrogate without its other half (it has no UTF-8 form: a database or PortOne would get something else, so
 * two different ids could name one order). The routes refuse such input, the stores refuse to look it up, and
 * settlement treats an order id holding it as no order of ours.
 */
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/**
 * The text with each unstorable character replaced by U+FFFD. For diagnostics (a failed delivery's error): they come
 * from the merchant's code or endpoint, and losing an attempt's outcome over one bad character would be worse.
 */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE_ALL, '\uFFFD');
}
