#!/usr/bin/env node
// `npm run size`: gzip -9 bytes of what a page downloads, against the budgets. Fails over budget; the two
// figures are the last lines printed.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const budgets = [
  { file: 'dist/loader.js', budget: 900 },
  { file: 'dist/portone-checkout.js', budget: 9_000 },
];

let over = false;
const lines = budgets.map(({ file, budget }) => {
  const raw = readFileSync(file);
  const gz = gzipSync(raw, { level: 9 }).length;
  if (gz > budget) over = true;
  return `${file}: ${gz} B gzip (${raw.length} B raw), budget ${budget} B${gz > budget ? '  OVER BUDGET' : ''}`;
});
if (over) console.error('size: over budget');
console.log(lines.join('\n'));
process.exit(over ? 1 : 0);
