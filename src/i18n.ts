/** The element's own texts, in Korean and English. */
export type Lang = 'ko' | 'en';

export interface Texts {
  pay: (amount: string) => string;
  payPlain: string;
  loading: string;
  paying: string;
  verifying: string;
  success: string;
  failure: (message: string) => string;
  /** prepare-url refused the page's price (`price_changed`): nothing was paid; `amount` is the server's, formatted. */
  priceChanged: (amount: string) => string;
}

const ko: Texts = {
  pay: (amount) => `${amount} 결제하기`,
  payPlain: '결제하기',
  loading: '결제를 준비하고 있습니다…',
  paying: '결제창에서 결제를 진행해 주세요.',
  verifying: '결제를 확인하고 있습니다…',
  success: '결제가 완료되었습니다.',
  failure: (message) => `결제하지 못했습니다. ${message}`,
  priceChanged: (amount) => `가격이 바뀌어 결제하지 않았습니다. 새 가격: ${amount}`,
};

const en: Texts = {
  pay: (amount) => `Pay ${amount}`,
  payPlain: 'Pay',
  loading: 'Preparing the payment…',
  paying: 'Complete the payment in the payment window.',
  verifying: 'Confirming the payment…',
  success: 'Payment complete.',
  failure: (message) => `The payment did not go through. ${message}`,
  priceChanged: (amount) => `The price has changed, so nothing was paid. New price: ${amount}`,
};

/** `lang` attribute, else the document's language, else Korean. */
export function resolveLang(own: string | null | undefined): Lang {
  const tag = (own || document.documentElement.lang || 'ko').toLowerCase();
  return tag.startsWith('en') ? 'en' : 'ko';
}

export function texts(lang: Lang): Texts {
  return lang === 'en' ? en : ko;
}

/** `₩14,000` / `US$10.50`, in the element's language. */
/** Formatters are costly to build and every render needs one: one per language and currency. */
const formatters = new Map<string, Intl.NumberFormat>();

export function formatAmount(amount: number, currency: string, lang: Lang): string {
  const key = `${lang} ${currency}`;
  try {
    let format = formatters.get(key);
    if (!format) formatters.set(key, (format = new Intl.NumberFormat(lang === 'en' ? 'en-US' : 'ko-KR', { style: 'currency', currency })));
    return format.format(amount);
  } catch {
    return `${amount} ${currency}`;
  }
}
