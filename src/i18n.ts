/** The element's own texts, in Korean and English. */
import type { PaymentFailureDetail } from './events.js';

export type Lang = 'ko' | 'en';

/**
 * The failures the element words itself, one text each in `Texts.failures` (same order): a stage, a buyer's close
 * (`cancelled`), a request that got no answer (`network`), a 5xx (`server`), and each verify answer of the verification protocol.
 */
export const OUTCOMES = 'config sdk prepare payment verify cancelled failed network server forgery duplicate closed mismatch unknown_order ready price_changed'.split(' ');

export interface Texts {
  /** The button's label; without an amount (`''`), trimmed. */
  pay: (amount: string) => string;
  /** Nothing to announce. */
  idle: string;
  loading: string;
  paying: string;
  verifying: string;
  success: string;
  /** One per `OUTCOMES` entry. */
  failures: string[];
  /** Added after the text of a failure that is `retryable`. */
  retry: string;
}

const TEXTS: Record<Lang, Texts> = {
  ko: {
    pay: (amount) => `${amount} 결제하기`,
    idle: '',
    loading: '결제 준비 중…',
    paying: '결제창에서 결제해 주세요.',
    verifying: '결제 확인 중…',
    success: '결제가 완료되었습니다.',
    failures:
      '결제 설정 오류입니다.|결제창을 열지 못했습니다.|주문을 만들지 못했습니다.|결제하지 못했습니다.|결제를 확인하지 못했습니다.|결제를 취소했습니다.|결제하지 못했습니다.|서버에 연결하지 못했습니다.|서버 오류입니다.|금액이 달라 환불합니다.|이미 결제된 주문이라 환불합니다.|닫힌 주문이라 환불합니다.|다른 주문의 결제입니다.|주문을 찾을 수 없습니다.|아직 결제되지 않았습니다.|가격이 바뀌어 결제하지 않았습니다. 새 가격:'.split(
        '|',
      ),
    retry: '다시 시도해 주세요.',
  },
  en: {
    pay: (amount) => `Pay ${amount}`,
    idle: '',
    loading: 'Preparing…',
    paying: 'Pay in the payment window.',
    verifying: 'Confirming…',
    success: 'Payment complete.',
    failures:
      'Checkout setup error.|The payment window did not open.|The order was not created.|Payment failed.|The payment was not confirmed.|Payment cancelled.|Payment failed.|The server did not answer.|Server error.|Wrong amount: refunded.|Already paid: refunded.|Order closed: refunded.|The payment is for another order.|Order not found.|Not paid yet.|The price has changed, so nothing was paid. New price:'.split(
        '|',
      ),
    retry: 'Please try again.',
  },
};

/** `lang` attribute, else the document's language, else Korean. */
export const resolveLang = (own: string | null | undefined): Lang => (/^en/i.test(own || document.documentElement.lang) ? 'en' : 'ko');

export const texts = (lang: Lang): Texts => TEXTS[lang];

/** Formatters are costly to build and every render needs one: one per language and currency (`koKRW`). */
const formatters: Record<string, Intl.NumberFormat> = {};

/** `₩14,000` / `$10.50`, in the element's language. */
export function formatAmount(amount: number, currency: string, lang: Lang): string {
  try {
    return (formatters[lang + currency] ??= new Intl.NumberFormat(lang, { style: 'currency', currency })).format(amount);
  } catch {
    return `${amount} ${currency}`;
  }
}

/**
 * What the live region says of a failure: the element's own words for the outcome in the element's language,
 * never the server's or the PG's (those stay in `detail.message`). `price_changed` says the server's price.
 */
export const failureText = ({ stage, code, retryable, cancelled, verification, amount, currency }: PaymentFailureDetail, lang: Lang): string => {
  const t = texts(lang);
  // The codes `network` and `price_changed` are outcomes themselves; a verify answer's status is one when known.
  const outcome = cancelled ? 'cancelled' : /^http_5/.test(code) ? 'server' : [code, verification?.status, stage].find((key) => OUTCOMES.includes(key as string));
  // Only a `price_changed` failure carries the server's price: it says the new one.
  return `${t.failures[OUTCOMES.indexOf(outcome as string)]}${currency ? ` ${formatAmount(amount!, currency, lang)}` : retryable ? ` ${t.retry}` : ''}`;
};
