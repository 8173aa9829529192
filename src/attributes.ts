/**
 * The one attribute table of `<portone-checkout>`: each row is an attribute, the kind of value it takes and its doc
 * comment. From it come the observed attributes, the camelCase properties and their types, the JSX types
 * (jsx-attributes.ts), the request parameters (params.ts) and custom-elements.json (custom-elements-manifest.config.mjs
 * reads the rows and their comments). An attribute is added by adding a row; test/browser/unit-attributes.test.ts
 * fails when any of these disagree with the table.
 *
 * Rows stay terse because the table ships in the bundle; their comments cost it nothing.
 */

/**
 * How an attribute's value is read: `text` as written, `amount` a positive number (whole for KRW), `count` a number
 * ≥ 0, `flag` its presence, `quota` months such as `2,3,6`, `json` JSON text.
 */
export type Kind = 'text' | 'amount' | 'count' | 'flag' | 'quota' | 'json';

/** A row's value: its kind, then the request parameter when that is not the attribute's name with `-` → `_` (params.ts). */
type Column = Kind | `${Kind} ${string}`;

export const ATTRIBUTES = {
  /** HTMLElement's own attributes that the element reads: HTMLElement's properties stay theirs. */
  html: {
    /** `ko` or `en` for the element's own texts; default the document's language, else `ko`. */
    lang: 'text',
  },
  /** The element's own: each read where it is used, never sent to PortOne. */
  element: {
    /** 가맹점 식별코드 (`imp12345678`), passed to `IMP.init`. Required in V1; not needed with `store-id`. */
    merchant: 'text',
    /** Merchant endpoint that verifies the payment server-side. Default `/payments/complete`. */
    'verify-url': 'text',
    /** Optional merchant endpoint called before paying; answers the authoritative `merchant_uid`, `amount` and `currency`. */
    'prepare-url': 'text',
    /**
     * JSON array of what is bought, `[{"id":"chair-01","quantity":2}]`, so the server can price the order: sent only
     * to `prepare-url` (never to PortOne). Checked when a payment starts; an array assigned to the property is written as JSON.
     */
    items: 'json',
    /** The SDK's URL. Default `https://cdn.iamport.kr/v1/iamport.js`; with `store-id`, `https://cdn.portone.io/v2/browser-sdk.js`. */
    'sdk-src': 'text',
    /** Disables the button. */
    disabled: 'flag',
  },
  /** `IMP.request_pay`'s parameters, in the order they are read. */
  request_pay: {
    /** PG (`html5_inicis.INIpayTest`, `kakaopay`, `kcp.{MID}`); default: the PortOne console's. */
    pg: 'text',
    /** Channel key, sent as `channelKey`. */
    'channel-key': 'text channelKey',
    /** `card`, `trans`, `vbank`, `phone`, … Default `card`. */
    'pay-method': 'text',
    /** Order id (≤ 40 characters); when absent and no `prepare-url`, a new one is generated per attempt. */
    'merchant-uid': 'text',
    /** Order name. */
    name: 'text',
    /** `KRW` (default), `USD`, … */
    currency: 'text',
    /** The payment window's language (`ko`, `en`, `zh`), sent as `language`. */
    language: 'text',
    /** Buyer's name. */
    'buyer-name': 'text',
    /** Buyer's phone number (some PGs require it). */
    'buyer-tel': 'text',
    /** Buyer's e-mail address. */
    'buyer-email': 'text',
    /** Buyer's address. */
    'buyer-addr': 'text',
    /** Buyer's postcode. */
    'buyer-postcode': 'text',
    /** Where PortOne returns on mobile. Default: the current page without landing parameters. */
    'm-redirect-url': 'text',
    /** Webhook URL for this payment, instead of the one set in the PortOne console. */
    'notice-url': 'text',
    /** Endpoint PortOne asks to confirm the payment just before approving it (PortOne's confirm process, enabled on request). */
    'confirm-url': 'text',
    /** Billing key id (`customer_uid`), to issue a billing key. */
    'customer-uid': 'text',
    /** Virtual account deposit deadline: `YYYYMMDD`, `YYYY-MM-DD`, `YYYYMMDDHHmmss` … */
    'vbank-due': 'text',
    /** The app's URL scheme, to come back to the app after a card app or bank app. */
    'app-scheme': 'text',
    /** Business registration number (virtual accounts of some PGs). */
    'biz-num': 'text',
    /** Positive integer (KRW) or positive decimal for other currencies. Required. */
    amount: 'amount',
    /** Tax-free part of the amount (면세공급가액). */
    'tax-free': 'count',
    /** VAT part of the amount (부가세), when not the PG's default. */
    'vat-amount': 'count',
    /** Escrow payment. */
    escrow: 'flag',
    /** Digital goods (phone payments). */
    digital: 'flag',
    /** Open the payment window as a pop-up (where the PG allows it). */
    popup: 'flag',
    /** Installment months offered, `2,3,6` (sent as `display.card_quota`); empty for lump sum only. */
    'card-quota': 'quota display',
    /** JSON, sent as `custom_data`. */
    'custom-data': 'json',
  },
  /**
   * `PortOne.requestPayment`'s own fields (PortOne V2), read only when `store-id` is set (v2-request.ts, which also
   * maps the request_pay rows above to V2's fields); a V1 payment ignores them.
   */
  request_payment: {
    /** PortOne V2 store id (`store-…`), sent as `storeId`: switches the element to V2 (`PortOne.requestPayment`). */
    'store-id': 'text',
    /** V2 channel group (smart routing), sent as `channelGroupId`: V2 needs it or `channel-key`. */
    'channel-group-id': 'text',
    /** V2 payment id (letters and digits, ≤ 40); when absent and no `prepare-url`, a new one is generated per attempt. */
    'payment-id': 'text',
    /** V2 easy pay provider (`KAKAOPAY`, `NAVERPAY`, `TOSSPAY` …), sent as `easyPay.easyPayProvider`; implies `pay-method` `EASY_PAY`. */
    'easy-pay-provider': 'text',
    /** Where PortOne V2 returns after a redirect (`redirectUrl`; `m-redirect-url` too). Default: the current page without landing parameters. */
    'redirect-url': 'text',
  },
} as const satisfies Record<string, Record<string, Column>>;

type Html = typeof ATTRIBUTES.html;
/** The rows that are the element's properties (HTMLElement's own rows keep HTMLElement's). */
type Properties = typeof ATTRIBUTES.element & typeof ATTRIBUTES.request_pay & typeof ATTRIBUTES.request_payment;
type Rows = Html & Properties;
type KindOf<C> = C extends `${infer K extends Kind} ${string}` ? K : C;
type Camel<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;

export type AttributeName = keyof Rows;

/** Each property as the element reads it: the attribute's text (null when absent), or for a flag its presence. */
export type AttributeProperties = { -readonly [A in keyof Properties as Camel<A>]: KindOf<Properties[A]> extends 'flag' ? boolean : string | null };

/** Each attribute as JSX writes it: text; a number too for amounts and counts; a boolean for a flag. */
export type AttributeJsxTypes = {
  -readonly [A in keyof Rows]?: KindOf<Rows[A]> extends 'flag' ? boolean : KindOf<Rows[A]> extends 'amount' | 'count' ? string | number : string;
};

/** Every attribute, in the table's order: a new array each time. */
export const attributeNames = (): AttributeName[] => Object.values(ATTRIBUTES).flatMap(Object.keys) as AttributeName[];

/** The camelCase property of a kebab-case attribute. */
export const propertyOf = (attribute: string): string => attribute.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

/** The switch between the two PortOnes: an element with a `store-id` (not blank) pays through V2. */
export const usesV2 = (element: { readonly storeId: string | null }): boolean => !!element.storeId?.trim();

/**
 * Give `prototype` a camelCase property for each row but HTMLElement's (GitHub elements' convention) that reads
 * and writes the attribute: text reads back as written (null when absent), a flag as its presence; an object is
 * written as JSON.
 */
export const defineAttributeProperties = (prototype: object): void => {
  // Every section but the first, `html`.
  for (const [attribute, column] of Object.values(ATTRIBUTES).slice(1).flatMap(Object.entries)) {
    const flag = column === 'flag';
    Object.defineProperty(prototype, propertyOf(attribute), {
      configurable: true,
      get(this: Element) {
        return flag ? this.hasAttribute(attribute) : this.getAttribute(attribute);
      },
      set(this: Element, value: unknown) {
        if (flag) this.toggleAttribute(attribute, !!value);
        else if (value == null) this.removeAttribute(attribute);
        else this.setAttribute(attribute, typeof value === 'object' ? JSON.stringify(value) : (value as string));
      },
    });
  }
};
