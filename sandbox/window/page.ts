/**
 * The test payment window a person sees (PortOne's PG window, played by the sandbox): readable, usable
 * with the keyboard alone (Tab / Enter, Escape closes), in Korean and English. Every text from the
 * merchant's page is escaped by the template (html.ts). The behaviour lives in `window.js`. It knows no
 * protocol: each protocol describes its payment as a `WindowView` and handles the answer posted to `answerUrl`.
 */
import type { Device, WindowScript } from '../control-api.js';
import { type Html, html, trusted } from './html.js';

export type Lang = 'ko' | 'en';
/** Which PortOne the window plays: the badge says so; the rest of the window is the same. */
export type Protocol = 'V1' | 'V2';

const TEXT = {
  ko: {
    title: '테스트 결제창',
    badge: (protocol: Protocol) => `PortOne ${protocol} 샌드박스 · 실제 결제가 아닙니다`,
    merchant: '가맹점',
    order: '주문명',
    orderId: '주문번호',
    method: '결제수단',
    pg: 'PG',
    amount: '결제금액',
    approve: '결제 승인',
    decline: '결제 거절',
    vbank: '가상계좌 발급',
    otherAmount: '다른 금액으로 결제',
    otherAmountLabel: '실제로 결제할 금액',
    close: '닫기',
    closeHint: 'Esc 키로 닫을 수 있습니다.',
    scripted: (action: string, ms: number) => `스크립트된 선택: ${action} (${ms}ms 후 자동 실행)`,
    done: '이 결제창은 이미 응답했습니다.',
    otherLang: 'English',
  },
  en: {
    title: 'Test payment window',
    badge: (protocol: Protocol) => `PortOne ${protocol} sandbox · no real money moves`,
    merchant: 'Merchant',
    order: 'Order',
    orderId: 'Order ID',
    method: 'Method',
    pg: 'PG',
    amount: 'Amount',
    approve: 'Approve payment',
    decline: 'Decline payment',
    vbank: 'Issue virtual account',
    otherAmount: 'Pay a different amount',
    otherAmountLabel: 'Amount actually paid',
    close: 'Close',
    closeHint: 'Press Esc to close.',
    scripted: (action: string, ms: number) => `Scripted choice: ${action} (runs in ${ms} ms)`,
    done: 'This payment window has already answered.',
    otherLang: '한국어',
  },
} as const;

export function formatAmount(amount: number, currency: string, lang: Lang): string {
  try {
    return new Intl.NumberFormat(lang === 'ko' ? 'ko-KR' : 'en-US', { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount} ${currency}`;
  }
}

const STYLE = trusted(`
  :root { color-scheme: light; font-family: system-ui, "Apple SD Gothic Neo", "Noto Sans KR", sans-serif; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: transparent; }
  /* On a phone the window is a whole page (the SDK navigated to it), not an overlay on the shop. */
  body.page { background: #eef1f6; }
  main { width: min(420px, 100vw); box-sizing: border-box; background: #fff; color: #1a1a1a; border-radius: 14px;
         box-shadow: 0 12px 40px rgb(0 0 0 / .35); padding: 20px 22px; }
  header { display: flex; justify-content: space-between; align-items: baseline; gap: 8px; }
  h1 { font-size: 1.15rem; margin: 0; }
  .badge { display: inline-block; margin: 8px 0 14px; padding: 3px 8px; border-radius: 6px; background: #fff4d6;
           color: #6b4a00; font-size: .8rem; }
  dl { display: grid; grid-template-columns: auto 1fr; gap: 6px 14px; margin: 0 0 16px; font-size: .92rem; }
  dt { color: #555; } dd { margin: 0; overflow-wrap: anywhere; }
  .amount { font-size: 1.5rem; font-weight: 700; margin: 0 0 16px; }
  form { display: grid; gap: 8px; }
  button { font: inherit; padding: 11px 14px; border-radius: 9px; border: 1px solid #c9c9c9; background: #f7f7f7;
           color: #1a1a1a; cursor: pointer; text-align: center; }
  button.primary { background: #1f5eff; border-color: #1f5eff; color: #fff; font-weight: 600; }
  button:focus-visible, input:focus-visible, a:focus-visible { outline: 3px solid #ffb300; outline-offset: 2px; }
  fieldset { border: 1px dashed #c9c9c9; border-radius: 9px; padding: 8px 10px; display: grid; gap: 6px; }
  legend { font-size: .85rem; color: #555; }
  input { font: inherit; padding: 8px; border-radius: 7px; border: 1px solid #aaa; }
  .hint, .status { font-size: .8rem; color: #555; margin: 10px 0 0; }
  a { color: #1f5eff; font-size: .85rem; }
`);

export interface WindowView {
  lang: Lang;
  /** Default V1. */
  protocol?: Protocol;
  device: Device;
  /** The page that asked for the payment: its origin receives the window's answer on PC. */
  pageUrl: string;
  /** Where the buyer's choice is posted. */
  answerUrl: string;
  /** The merchant as the SDK named it (V1: the 가맹점 식별코드). */
  merchant: string;
  orderName: string | null;
  orderId: string;
  payMethod: string;
  pg: string;
  /** In the protocol's own unit (V1: the amount as written; V2: minor units): what "pay a different amount" takes. */
  amount: number;
  /** The amount as a person reads it (major units) when it differs from `amount` (V2's USD cents). */
  displayAmount?: number;
  currency: string;
  /** The window has answered already (a reload): its buttons are disabled. */
  done: boolean;
  /** A choice the window makes by itself after `delay_ms`. */
  script: Pick<WindowScript, 'action' | 'amount' | 'delay_ms'> | null;
}

export function renderWindow(view: WindowView): string {
  const t = TEXT[view.lang];
  const otherLang: Lang = view.lang === 'ko' ? 'en' : 'ko';
  const disabled = view.done ? html` disabled` : '';
  const button = (action: string, label: string, primary = false) =>
    html`<button type="submit" name="action" value="${action}"${primary ? html` class="primary" autofocus` : ''}${disabled}>${label}</button>`;
  return page(
    view.lang,
    html`${t.title} · PortOne sandbox`,
    html`<body${view.device === 'mobile' ? html` class="page"` : ''}>
<main aria-labelledby="title"
      data-device="${view.device}" data-target-origin="${targetOrigin(view.pageUrl)}"
      data-script-action="${view.script?.action}" data-script-amount="${view.script?.amount}"
      data-script-delay="${view.script?.delay_ms ?? 0}">
  <header>
    <h1 id="title">${t.title}</h1>
    <a href="?lang=${otherLang}" hreflang="${otherLang}" lang="${otherLang}">${t.otherLang}</a>
  </header>
  <p class="badge">${t.badge(view.protocol ?? 'V1')}</p>
  <dl>
    <dt>${t.merchant}</dt><dd>${view.merchant}</dd>
    <dt>${t.order}</dt><dd>${view.orderName ?? '—'}</dd>
    <dt>${t.orderId}</dt><dd>${view.orderId}</dd>
    <dt>${t.method}</dt><dd>${view.payMethod}</dd>
    <dt>${t.pg}</dt><dd>${view.pg}</dd>
  </dl>
  <p class="amount" aria-label="${t.amount}">${formatAmount(view.displayAmount ?? view.amount, view.currency, view.lang)}</p>
  <form method="post" action="${view.answerUrl}">
    ${button('approve', t.approve, true)}
    ${button('decline', t.decline)}
    ${button('vbank', t.vbank)}
    <fieldset>
      <legend>${t.otherAmount}</legend>
      <label for="other-amount">${t.otherAmountLabel}</label>
      <input id="other-amount" name="amount" type="number" min="0" step="any" inputmode="decimal" value="${view.amount}"${disabled}>
      ${button('amount', t.otherAmount)}
    </fieldset>
    ${button('close', t.close)}
  </form>
  <p class="hint">${t.closeHint}</p>
  <p class="status" role="status" aria-live="polite">${view.done ? t.done : view.script ? t.scripted(view.script.action, view.script.delay_ms) : ''}</p>
</main>
<script src="/__sandbox/window.js"></script>
</body>`,
  );
}

/**
 * A page without an origin of its own (file:, data:) has the opaque origin "null", which postMessage refuses as a
 * target: the window then answers to any origin, or it could never answer at all.
 */
function targetOrigin(pageUrl: string): string {
  const origin = new URL(pageUrl).origin;
  return origin === 'null' ? '*' : origin;
}

/** Stands in for PortOne's own result page, for mobile payments that named no `m_redirect_url`. */
export function renderLanding({ lang, title, query, protocol = 'V1' }: { lang: Lang; title: string; query: Record<string, string>; protocol?: Protocol }): string {
  const rows = Object.entries(query).map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`);
  return page(lang, html`${title}`, html`<body class="page"><main><h1>${title}</h1><p class="badge">${TEXT[lang].badge(protocol)}</p><dl>${rows}</dl></main></body>`);
}

function page(lang: Lang, title: Html, body: Html): string {
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${STYLE}</style>
</head>
${body}
</html>`.markup;
}
