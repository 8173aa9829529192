/**
 * The zod fields of the verifier's request bodies, shared by its routes. Text never carries a NUL (PostgreSQL
 * refuses it in TEXT) nor an unpaired surrogate (no UTF-8 can carry it to PortOne or a database): both are a 400
 * naming the field, like every other bad input, never a 500 or a 502 later.
 */
import { z } from 'zod';
import { isValidAmount } from '../../lib/money.js';
import { isStorableText } from '../text.js';

/** A string of at most `max` characters that any database and PortOne can carry. */
export function text(max: number) {
  return z
    .string()
    .max(max, `at most ${max} characters`)
    .refine((value) => !value.includes('\0'), 'must not contain a NUL character')
    .refine((value) => value.includes('\0') || isStorableText(value), 'must be valid Unicode text (an unpaired surrogate came)');
}


/** PortOne's limit for an order id. */
export const merchantUid = text(40).min(1, 'must not be empty');

/** ISO 4217, as PortOne writes it. */
export const currency = z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code such as KRW');

export const amount = z.number().refine(isValidAmount, 'must be a positive number with at most 6 decimals');

/** What the element's `items` attribute sends: `[{"id":"chair-01","quantity":2}]`. */
export const items = z
  .array(
    z.strictObject({
      id: text(64).min(1, 'must not be empty'),
      quantity: z.number().int('must be a whole number').min(1, 'must be at least 1').max(10_000, 'must be at most 10000'),
    }),
  )
  .min(1, 'must list at least one item')
  .max(100, 'at most 100 lines');
