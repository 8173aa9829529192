/** PortOne V1 (iamport.js) for the element's flow: `IMP.init` then `IMP.request_pay`, verified by `{ imp_uid, merchant_uid }`. */
import type { Protocol } from './protocol.js';
import { readSdkAnswer } from './sdk-answer.js';

export const V1: Protocol<'IMP'> = {
  version: 'v1',
  global: 'IMP',
  id: 'merchant_uid',
  key: 'merchantUid',
  redirect: 'm_redirect_url',
  paid: ['paid', 'ready'],
  parse(config) {
    const { amount, currency, name } = config.request;
    // What would be paid (`params` included), the currency as ISO 4217 writes it whatever the page's case.
    return { ...config, order: { amount: amount as number, currency: String(currency || 'KRW').toUpperCase(), name } };
  },
  prepared: (request, answer) => void Object.assign(request, answer),
  pay: (IMP, { merchant, request }, opened) =>
    new Promise((resolve) => {
      // Always init first: without it iamport.js only alerts and never calls back.
      IMP.init(merchant);
      IMP.request_pay(request, (r) => resolve(r && typeof r === 'object' ? r : {}));
      opened();
    }),
  read: readSdkAnswer,
  verifyBody: ({ impUid, merchantUid }) => (impUid && merchantUid ? { imp_uid: impUid, merchant_uid: merchantUid } : undefined),
};
