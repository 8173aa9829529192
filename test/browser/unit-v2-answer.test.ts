// v2-answer.ts on its own: PortOne.requestPayment's response (or a V2 landing's query) → a failure when it carries
// `code`, else only a claim of ids for the verify endpoint.
import { expect } from '@open-wc/testing';
import { readPaymentAnswer } from '../../src/v2-answer.js';

const CASES: [title: string, fields: Record<string, unknown>, read: Record<string, unknown>][] = [
  ['success: paymentId and txId, only a claim', { transactionType: 'PAYMENT', paymentId: 'order1', txId: 'tx-1' }, { paymentId: 'order1', txId: 'tx-1' }],
  ['a landing without txId', { paymentId: 'order1' }, { paymentId: 'order1' }],
  ['a message without code is no failure (PortOne tests code alone)', { paymentId: 'order1', txId: 'tx-1', message: 'ok' }, { paymentId: 'order1', txId: 'tx-1' }],
  [
    'code → a failure with PortOne’s code and message, and the PG’s',
    { paymentId: 'order1', txId: 'tx-1', code: 'FAILURE_TYPE_PG', message: '카드 한도 초과', pgCode: 'F0004', pgMessage: '한도초과' },
    { paymentId: 'order1', txId: 'tx-1', code: 'FAILURE_TYPE_PG', message: '카드 한도 초과', pgCode: 'F0004', pgMessage: '한도초과', cancelled: false },
  ],
  ['a code without a message: the code is the message', { paymentId: 'order1', code: 'PaymentAlreadyPaid' }, { paymentId: 'order1', code: 'PaymentAlreadyPaid', message: 'PaymentAlreadyPaid', cancelled: false }],
  ['an empty code is still a code (present)', { paymentId: 'order1', code: '' }, { paymentId: 'order1', code: 'payment_failed', message: 'payment_failed', cancelled: false }],
  ['the buyer closed the window (PG code)', { paymentId: 'order1', code: 'FAILURE_TYPE_PG', message: '결제를 취소했습니다', pgCode: 'PAY_PROCESS_CANCELED' }, { paymentId: 'order1', code: 'FAILURE_TYPE_PG', message: '결제를 취소했습니다', pgCode: 'PAY_PROCESS_CANCELED', cancelled: true }],
  ['the buyer closed the window (PG words)', { paymentId: 'order1', code: 'FAILURE_TYPE_PG', message: '[결제포기] 사용자가 결제를 취소하셨습니다' }, { paymentId: 'order1', code: 'FAILURE_TYPE_PG', message: '[결제포기] 사용자가 결제를 취소하셨습니다', cancelled: true }],
  ['no ids at all: an empty claim, without undefined keys', {}, {}],
  ['empty ids are no ids', { paymentId: '', txId: '' }, {}],
];

describe('v2-answer: readPaymentAnswer', () => {
  for (const [title, fields, read] of CASES) {
    it(title, () => {
      expect(readPaymentAnswer(fields)).to.deep.equal(read);
    });
  }
});
