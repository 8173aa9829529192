/**
 * The element's shadow tree, built once with the DOM API and then updated in place: a `<button part="button">`
 * whose `<slot>` falls back to the label, and the visually hidden polite live region `<span part="status">`.
 * Every text is set as `textContent`, never parsed as HTML. Two nodes and four values do not need a template
 * engine: lit-html took about 3 kB gzip of the 9 kB budget (scripts/size.mjs) to draw them.
 */
export interface ViewState {
  disabled: boolean;
  busy: boolean;
  /** The slot's fallback: what the button says when the page gives it no label. */
  label: string;
  /** What the live region says. */
  announcement: string;
}

/** Builds the tree in `root`; the function returned brings it up to date. */
export function view(root: ShadowRoot, onClick: () => void): (state: ViewState) => void {
  const add = <K extends 'button' | 'slot' | 'span'>(parent: Node, tag: K, attributes: Record<string, string>) => {
    const node = parent.appendChild(document.createElement(tag));
    for (const name in attributes) node.setAttribute(name, attributes[name]!);
    return node;
  };
  const button = add(root, 'button', { part: 'button', type: 'button' });
  const slot = add(button, 'slot', {});
  const status = add(root, 'span', { part: 'status', role: 'status', 'aria-live': 'polite' });
  button.addEventListener('click', onClick);
  // Only a change is written: a screen reader may announce the live region again on any write.
  const text = (node: Node, value: string) => node.textContent !== value && (node.textContent = value);
  return ({ disabled, busy, label, announcement }) => {
    button.disabled = disabled;
    button.setAttribute('aria-busy', String(busy));
    text(slot, label);
    text(status, announcement);
  };
}
