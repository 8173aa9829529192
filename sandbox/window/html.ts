/**
 * An auto-escaping HTML template: html`<dd>${text}</dd>` escapes every value (`& < > " '`), so text from a
 * merchant's page is safe in an element or in a quoted attribute value. Only another html`` fragment (or a list of
 * them), or `trusted` markup the sandbox wrote itself, goes in as markup. null and undefined are empty.
 */
export class Html {
  constructor(readonly markup: string) {}

  toString(): string {
    return this.markup;
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let markup = strings[0] ?? '';
  values.forEach((value, i) => {
    markup += fragment(value) + (strings[i + 1] ?? '');
  });
  return new Html(markup);
}

/** Markup the sandbox wrote itself (its stylesheet), never text from a request. */
export function trusted(markup: string): Html {
  return new Html(markup);
}

function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function fragment(value: unknown): string {
  if (value instanceof Html) return value.markup;
  if (Array.isArray(value)) return value.map(fragment).join('');
  return escapeHtml(value);
}
