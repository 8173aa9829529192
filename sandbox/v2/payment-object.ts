/**
 * PortOne V2's Payment object, as `GET /payments/{paymentId}` answers it (the official OpenAPI's `Payment`, a union
 * discriminated on `status`). One interface with the status-specific fields optional keeps the sandbox's code simple;
 * payment.ts sets exactly the fields each status has. Amounts are integers in the currency's minor unit. No Node
 * import here: the control client shares these types.
 */

export const V2_PAYMENT_STATUSES = ['READY', 'PAY_PENDING', 'VIRTUAL_ACCOUNT_ISSUED', 'PAID', 'FAILED', 'PARTIAL_CANCELLED', 'CANCELLED'] as const;
export type V2PaymentStatus = (typeof V2_PAYMENT_STATUSES)[number];

export type ChannelType = 'LIVE' | 'TEST';

export interface V2PaymentAmount {
  total: number;
  taxFree: number;
  vat: number;
  supply: number;
  discount: number;
  paid: number;
  cancelled: number;
  cancelledTaxFree: number;
}

export interface V2SelectedChannel {
  type: ChannelType;
  id: string;
  key: string;
  name: string;
  pgProvider: string;
  pgMerchantId: string;
}

export interface V2Card {
  publisher: string;
  issuer: string;
  brand: 'LOCAL' | 'MASTER' | 'UNIONPAY' | 'VISA' | 'JCB' | 'AMEX' | 'DINERS';
  type: 'CREDIT' | 'DEBIT' | 'GIFT';
  ownerType: 'PERSONAL' | 'CORPORATE';
  bin: string;
  name: string;
  number: string;
}

export type V2PaymentMethod =
  | { type: 'PaymentMethodCard'; card: V2Card; approvalNumber: string; installment: { month: number; isInterestFree: boolean }; pointUsed: boolean }
  | {
      type: 'PaymentMethodVirtualAccount';
      bank: string;
      accountNumber: string;
      accountType: 'FIXED' | 'NORMAL';
      remitteeName: string;
      remitterName?: string;
      expiredAt: string;
      issuedAt: string;
      refundStatus?: 'PENDING' | 'PARTIAL_REFUND_FAILED' | 'FAILED' | 'COMPLETED';
    }
  | { type: 'PaymentMethodTransfer'; bank: string }
  | { type: 'PaymentMethodMobile'; phoneNumber?: string }
  | { type: 'PaymentMethodEasyPay'; provider: string; easyPayMethod?: { type: 'PaymentMethodEasyPayMethodCharge'; bank?: string } };

export interface V2Cancellation {
  status: 'SUCCEEDED';
  id: string;
  pgCancellationId: string;
  totalAmount: number;
  taxFreeAmount: number;
  vatAmount: number;
  reason: string;
  cancelledAt: string;
  requestedAt: string;
  receiptUrl: string;
  /** Who cancelled: `API` (REST), `CONSOLE` (the control API, standing for the console). */
  trigger: 'API' | 'CONSOLE';
}

export interface V2Address {
  type: 'ONE_LINE' | 'SEPARATED';
  oneLine: string;
  addressLine1?: string;
  addressLine2?: string;
}

export interface V2Customer {
  id?: string;
  name?: string;
  email?: string;
  phoneNumber?: string;
  address?: V2Address;
  zipcode?: string;
  gender?: 'MALE' | 'FEMALE' | 'OTHER';
  birthYear?: string;
  birthMonth?: string;
  birthDay?: string;
}

export interface V2PaymentOrigin {
  platformType: 'PC' | 'MOBILE' | 'API';
  ipAddress: string;
  userAgent?: string;
  url?: string;
}

export interface V2Payment {
  status: V2PaymentStatus;
  /** The merchant's paymentId. */
  id: string;
  /** The attempt shown (the browser SDK's `txId`): a new one per attempt. */
  transactionId: string;
  merchantId: string;
  storeId: string;
  method?: V2PaymentMethod;
  channel: V2SelectedChannel;
  version: 'V2';
  requestedAt: string;
  updatedAt: string;
  statusChangedAt: string;
  orderName: string;
  amount: V2PaymentAmount;
  currency: string;
  customer: V2Customer;
  origin: V2PaymentOrigin;
  /** What the request's `customData` was, as a JSON string. */
  customData?: string;
  pgTxId?: string;
  // PAID, PARTIAL_CANCELLED, CANCELLED
  paidAt?: string;
  receiptUrl?: string;
  disputes?: never[];
  cancellations?: V2Cancellation[];
  // PARTIAL_CANCELLED, CANCELLED
  cancelledAt?: string;
  // FAILED
  failedAt?: string;
  failure?: { reason?: string; pgCode?: string; pgMessage?: string };
}
