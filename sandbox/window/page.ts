/**
 * The test payment window a person sees (PortOne's PG window, played by the sandbox): readable, usable
 * with the keyboard alone (Tab / Enter, Escape closes), in Korean and English. Every text from the
 * merchant's page is escaped. The behaviour lives in `sdk/window.js`.
 */
import type { CheckoutContext, PaymentRecord, WindowScript } from './state.js';

export type Lang = 'ko' | 'en';

const TEXT = {
  ko: {
    title: '테스트 결제창',
    badge: 'PortOne V1 샌드박스 · 실제 결제가 아닙니다',
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
    badge: 'PortOne V1 sandbox · no real money moves',
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

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function formatAmount(amount: number, currency: string, lang: Lang): string {
  try {
    return new Intl.NumberFormat(lang === 'ko' ? 'ko-KR' : 'en-US', { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount} ${currency}`;
  }
}

const STYLE = `
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
`;

export interface WindowView {
  record: PaymentRecord;
  checkout: CheckoutContext;
  lang: Lang;
  script: WindowScript | null;
}

export function renderWindow({ record, checkout, lang, script }: WindowView): string {
  const t = TEXT[lang];
  const p = record.payment;
  const otherLang: Lang = lang === 'ko' ? 'en' : 'ko';
  // A page without an origin of its own (file:, data:) has the opaque origin "null", which postMessage
  // refuses as a target: the window then answers to any origin, or it could never answer at all.
  const pageOrigin = new URL(checkout.pageUrl).origin;
  const targetOrigin = pageOrigin === 'null' ? '*' : pageOrigin;
  const disabled = checkout.done ? ' disabled' : '';
  const button = (action: string, label: string, primary = false) =>
    `<button type="submit" name="action" value="${action}"${primary ? ' class="primary" autofocus' : ''}${disabled}>${escapeHtml(label)}</button>`;
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(t.title)} · PortOne sandbox</title>
<style>${STYLE}</style>
</head>
<body${checkout.device === 'mobile' ? ' class="page"' : ''}>
<main aria-labelledby="title"
      data-device="${checkout.device}" data-target-origin="${escapeHtml(targetOrigin)}"
      data-script-action="${escapeHtml(script?.action ?? '')}" data-script-amount="${escapeHtml(script?.amount ?? '')}"
      data-script-delay="${script?.delay_ms ?? 0}">
  <header>
    <h1 id="title">${escapeHtml(t.title)}</h1>
    <a href="?lang=${otherLang}" hreflang="${otherLang}" lang="${otherLang}">${t.otherLang}</a>
  </header>
  <p class="badge">${escapeHtml(t.badge)}</p>
  <dl>
    <dt>${t.merchant}</dt><dd>${escapeHtml(checkout.userCode)}</dd>
    <dt>${t.order}</dt><dd>${escapeHtml(p.name ?? '—')}</dd>
    <dt>${t.orderId}</dt><dd>${escapeHtml(p.merchant_uid)}</dd>
    <dt>${t.method}</dt><dd>${escapeHtml(p.pay_method)}</dd>
    <dt>${t.pg}</dt><dd>${escapeHtml(`${p.pg_provider}.${p.pg_id}`)}</dd>
  </dl>
  <p class="amount" aria-label="${escapeHtml(t.amount)}">${escapeHtml(formatAmount(p.amount, p.currency, lang))}</p>
  <form method="post" action="/__sandbox/window/${escapeHtml(p.imp_uid)}">
    ${button('approve', t.approve, true)}
    ${button('decline', t.decline)}
    ${button('vbank', t.vbank)}
    <fieldset>
      <legend>${escapeHtml(t.otherAmount)}</legend>
      <label for="other-amount">${escapeHtml(t.otherAmountLabel)}</label>
      <input id="other-amount" name="amount" type="number" min="0" step="any" inputmode="decimal" value="${escapeHtml(p.amount)}"${disabled}>
      ${button('amount', t.otherAmount)}
    </fieldset>
    ${button('close', t.close)}
  </form>
  <p class="hint">${escapeHtml(t.closeHint)}</p>
  <p class="status" role="status" aria-live="polite">${checkout.done ? escapeHtml(t.done) : script ? escapeHtml(t.scripted(script.action, script.delay_ms)) : ''}</p>
</main>
<script src="/__sandbox/window.js"></script>
</body>
</html>`;
}

/** Stands in for PortOne's own result page, for mobile payments that named no `m_redirect_url`. */
export function renderLanding({ lang, title, query }: { lang: Lang; title: string; query: Record<string, string> }): string {
  const rows = Object.entries(query)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('');
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE} body { background: #eef1f6; }</style></head>
<body><main><h1>${escapeHtml(title)}</h1><p class="badge">${escapeHtml(TEXT[lang].badge)}</p><dl>${rows}</dl></main></body></html>`;
}
