// sdk-answer.ts on its own: what iamport.js said (its callback's rsp, or a landing's query values, all strings) →
// a failure, or only a claim for the verify endpoint to settle.
import { expect } from '@open-wc/testing';
import { readSdkAnswer, type SdkAnswer } from '../../src/sdk-answer.js';

const USER_CANCEL_MSG = '[결제포기] 사용자가 결제를 취소하셨습니다';
const ids = { imp_uid: 'imp_100', merchant_uid: 'order-1' };
const claim = { impUid: 'imp_100', merchantUid: 'order-1' };

const CASES: [title: string, fields: Record<string, unknown>, answer: SdkAnswer][] = [
  ['success: true (callback)', { ...ids, success: true }, claim],
  ['imp_success=true (landing)', { ...ids, imp_success: 'true' }, claim],
  ['neither flag (new-module PGs): still only a claim', ids, claim],
  ['numeric ids, as text', { imp_uid: 100, merchant_uid: 7 }, { impUid: '100', merchantUid: '7' }],
  ['no ids at all: an empty claim, without undefined keys', {}, {}],
  ['empty ids are no ids', { imp_uid: '', merchant_uid: '' }, {}],
  ['success: false without a code', { ...ids, success: false }, { ...claim, code: 'payment_failed', message: 'payment_failed', cancelled: false }],
  ['imp_success=false (landing)', { ...ids, imp_success: 'false' }, { ...claim, code: 'payment_failed', message: 'payment_failed', cancelled: false }],
  ['a PG’s code and message, verbatim', { ...ids, success: false, error_code: 'F0004', error_msg: '결제가 중단되었습니다' }, { ...claim, code: 'F0004', message: '결제가 중단되었습니다', cancelled: false }],
  ['a code without a message: the code is the message', { ...ids, error_code: 'F1001' }, { ...claim, code: 'F1001', message: 'F1001', cancelled: false }],
  ['iamport.js 1.x’s misspelt error_coe', { ...ids, error_coe: 'F1002', error_msg: 'declined' }, { ...claim, code: 'F1002', message: 'declined', cancelled: false }],
  ['a message alone, even with success: true', { ...ids, success: true, error_msg: 'declined' }, { ...claim, code: 'payment_failed', message: 'declined', cancelled: false }],
  ['legacy PGs’ close: the message alone', { ...ids, error_msg: USER_CANCEL_MSG }, { ...claim, code: 'payment_failed', message: USER_CANCEL_MSG, cancelled: true }],
  ['new-module PGs’ close: PAY_PROCESS_CANCELED', { merchant_uid: 'order-1', error_code: 'PAY_PROCESS_CANCELED', error_msg: '결제를 취소하셨습니다' }, { merchantUid: 'order-1', code: 'PAY_PROCESS_CANCELED', message: '결제를 취소하셨습니다', cancelled: true }],
  ['KG이니시스’s own words for a close', { ...ids, success: false, error_msg: '사용자가 결제를 취소하였습니다' }, { ...claim, code: 'payment_failed', message: '사용자가 결제를 취소하였습니다', cancelled: true }],
  ['a numeric error_code, as text', { ...ids, error_code: -1 }, { ...claim, code: '-1', message: '-1', cancelled: false }],
];

describe('sdk-answer: readSdkAnswer', () => {
  for (const [title, fields, answer] of CASES) {
    it(title, () => {
      expect(readSdkAnswer(fields)).to.deep.equal(answer);
    });
  }
});
