// lib/money.ts minor units (PortOne V2's `totalAmount`): each currency's exponent, exact both ways, and the amounts
// that are not a whole number of minor units refused rather than rounded (rounding would charge another price).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { currencyExponent, fromMinorUnits, toMinorUnits } from '../../lib/money.js';

describe('currencyExponent', () => {
  const cases: Array<[string, number]> = [['KRW', 0], ['JPY', 0], ['VND', 0], ['USD', 2], ['EUR', 2], ['CNY', 2], ['KWD', 3], ['BHD', 3], ['CLF', 4]];
  for (const [currency, exponent] of cases) test(`${currency} → ${exponent}`, () => assert.equal(currencyExponent(currency), exponent));
  test('a code that is not ISO 4217-shaped is refused', () => {
    for (const bad of ['krw', 'KR', 'KRWW', '', 'CURRENCY_KRW']) assert.throws(() => currencyExponent(bad), TypeError, bad);
  });
});

describe('toMinorUnits / fromMinorUnits: exact, both ways', () => {
  const cases: Array<[number, string, number]> = [
    [14000, 'KRW', 14000],
    [1, 'JPY', 1],
    [10.5, 'USD', 1050],
    [0.3, 'USD', 30],
    [19.99, 'EUR', 1999],
    [1234567.89, 'USD', 123456789],
    [99999999999.99, 'USD', 9999999999999],
    [1.234, 'KWD', 1234],
    [0.01, 'USD', 1],
    [100, 'USD', 10000],
  ];
  for (const [amount, currency, minor] of cases) {
    test(`${amount} ${currency} ⇄ ${minor}`, () => {
      assert.equal(toMinorUnits(amount, currency), minor);
      assert.equal(fromMinorUnits(minor, currency), amount);
    });
  }
  test('19.99 USD is 1999 cents, not the float 1998.9999999999998', () => {
    assert.notEqual(19.99 * 100, 1999);
    assert.equal(toMinorUnits(19.99, 'USD'), 1999);
  });
  test('not a whole number of minor units → RangeError, never rounded', () => {
    for (const [amount, currency] of [[0.5, 'KRW'], [10.555, 'USD'], [1.2345, 'KWD'], [0.1 + 0.2, 'USD']] as const) {
      assert.throws(() => toMinorUnits(amount, currency), RangeError, `${amount} ${currency}`);
    }
  });
  test('beyond a safe integer, NaN, infinities → RangeError', () => {
    assert.throws(() => toMinorUnits(1e20, 'USD'), RangeError);
    assert.throws(() => toMinorUnits(Number.NaN, 'KRW'), RangeError);
    assert.throws(() => fromMinorUnits(10.5, 'USD'), RangeError);
    assert.throws(() => fromMinorUnits(Infinity, 'KRW'), RangeError);
  });
});
