// lib/money.ts, the exact arithmetic on amounts that the verifier and the sandbox share: each function against a
// table of cases a float would get wrong (0.1 + 0.2), written in exponent notation (1e21, 1.5e-7), at the
// six-decimal boundary, and the inputs it must refuse.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addAmounts, amountText, compareAmounts, fromUnits, isExactAmount, isValidAmount, multiplyAmount, sameAmount, subtractAmounts, toUnits } from '../../lib/money.js';

describe('amountText: the plain decimal text of any finite amount, which Number() reads back', () => {
  const cases: Array<[number, string]> = [
    [50000, '50000'],
    [10.1, '10.1'],
    [0.1 + 0.2, '0.30000000000000004'],
    [-12.5, '-12.5'],
    [-0, '0'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [123456789.123456, '123456789.123456'],
  ];
  for (const [amount, text] of cases) {
    test(`${amount} → "${text}"`, () => {
      assert.equal(amountText(amount), text);
      assert.equal(Number(text), amount === 0 ? 0 : amount);
    });
  }
  test('NaN and the infinities are refused', () => {
    for (const bad of [Number.NaN, Infinity, -Infinity]) assert.throws(() => amountText(bad), RangeError);
  });
});

describe('toUnits / fromUnits: micro-units, at most six decimals, below 1e21', () => {
  const cases: Array<[number, bigint]> = [
    [0, 0n],
    [1, 1_000_000n],
    [14000, 14_000_000_000n],
    [0.000001, 1n],
    [10.5, 10_500_000n],
    [-3.25, -3_250_000n],
    [999_999_999.99, 999_999_999_990_000n],
    // Large amounts with decimals: read from their shortest text, not from the double's binary expansion.
    [99_999_999_999.99, 99_999_999_999_990_000n],
    [123_456_789_012.34, 123_456_789_012_340_000n],
    [999_999_999_999_999.9, 999_999_999_999_999_900_000n],
    [1e20, 100_000_000_000_000_000_000_000_000n],
  ];
  for (const [amount, units] of cases) {
    test(`${amount} ⇄ ${units}`, () => {
      assert.equal(toUnits(amount), units);
      assert.equal(fromUnits(units), amount);
    });
  }
  test('a large amount with decimals comes back as the same number', () => {
    for (const amount of [999999999999999.9, 123456789012.34]) assert.equal(fromUnits(toUnits(amount)), amount);
  });
  const refused: Array<[number, RegExp]> = [
    [0.0000001, /more than 6 decimals/],
    [0.1 + 0.2, /more than 6 decimals/],
    [1e21, /too large/],
    [-1e21, /too large/],
    [Number.NaN, /finite/],
    [Infinity, /finite/],
  ];
  for (const [amount, message] of refused) {
    test(`${amount} is refused (${message.source})`, () => assert.throws(() => toUnits(amount), message));
  }
});

describe('sameAmount and compareAmounts: exact, whatever the size or the number of decimals', () => {
  const cases: Array<[number, number, -1 | 0 | 1]> = [
    [0.3, 0.1 + 0.2, -1],
    [0.30000000000000004, 0.1 + 0.2, 0],
    [14000, 14000, 0],
    [14000, 14000.000001, -1],
    [1e21, 1e21 + 1, 0], // the same double
    [1e21, 1e22, -1],
    [1.5e-7, 0.00000015, 0],
    [-1, 1, -1],
    [0, -0, 0],
    [10.1, 10.09, 1],
  ];
  for (const [a, b, order] of cases) {
    test(`${a} vs ${b} → ${order}`, () => {
      assert.equal(compareAmounts(a, b), order);
      assert.equal(compareAmounts(b, a), -order || 0);
      assert.equal(sameAmount(a, b), order === 0);
    });
  }
  test('NaN is refused', () => assert.throws(() => sameAmount(Number.NaN, 1), RangeError));
});

describe('addAmounts and subtractAmounts: exact decimal sums (a float would drift)', () => {
  const sums: Array<[number, number, number]> = [
    [0.1, 0.2, 0.3],
    [10.1, 0.2, 10.3],
    [1000, 0.000001, 1000.000001],
    [1e21, 1e21, 2e21],
    [-5.5, 5.5, 0],
  ];
  for (const [a, b, sum] of sums) {
    test(`${a} + ${b} = ${sum}, and ${sum} − ${b} = ${a}`, () => {
      assert.equal(addAmounts(a, b), sum);
      assert.equal(subtractAmounts(sum, b), a);
    });
  }
  test('the balance of a payment after partial cancels is exact: 100.3 − 0.1 − 0.2 = 100', () => {
    assert.equal(subtractAmounts(subtractAmounts(100.3, 0.1), 0.2), 100);
  });
});

describe('multiplyAmount: price × quantity, exact; the quantity a whole number', () => {
  const cases: Array<[number, number, number]> = [
    [14000, 2, 28000],
    [0.1, 3, 0.3],
    [19.99, 100, 1999],
    [1.005, 1000, 1005],
    [5, 0, 0],
  ];
  for (const [price, quantity, total] of cases) {
    test(`${price} × ${quantity} = ${total}`, () => assert.equal(multiplyAmount(price, quantity), total));
  }
  test('a fractional or unsafe quantity is refused', () => {
    for (const bad of [1.5, Number.MAX_SAFE_INTEGER + 2, Number.NaN]) assert.throws(() => multiplyAmount(1, bad), /quantity must be an integer/);
  });
});

describe('isExactAmount and isValidAmount: what the verifier and the sandbox accept as input', () => {
  const cases: Array<[unknown, boolean, boolean]> = [
    // value, isExactAmount, isValidAmount (positive too)
    [1000, true, true],
    [0.000001, true, true],
    [10.5, true, true],
    [0, true, false],
    [-1, true, false],
    [0.0000001, false, false],
    [0.1 + 0.2, false, false],
    [1e21, false, false],
    [Number.NaN, false, false],
    [Infinity, false, false],
    ['1000', false, false],
    [null, false, false],
    [undefined, false, false],
  ];
  for (const [value, exact, valid] of cases) {
    test(`${typeof value === 'string' ? JSON.stringify(value) : String(value)} → exact ${exact}, valid ${valid}`, () => {
      assert.equal(isExactAmount(value), exact);
      assert.equal(isValidAmount(value), valid);
    });
  }
});
