/**
 * `npm run sandbox`: the PortOne V1 sandbox alone. PORT (default 8081) and HOST (default 127.0.0.1);
 * SANDBOX_API_KEY / SANDBOX_API_SECRET set the accepted credentials; SANDBOX_NOTICE_URL the console's
 * notification URL.
 */
import { startSandbox } from './index.js';

function port(value: string | undefined): number {
  if (value === undefined || value === '') return 8081;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`PORT must be an integer from 0 to 65535, got "${value}"`);
    process.exit(1);
  }
  return n;
}

const sandbox = await startSandbox({
  port: port(process.env.PORT),
  host: process.env.HOST || '127.0.0.1',
  apiKey: process.env.SANDBOX_API_KEY || undefined,
  apiSecret: process.env.SANDBOX_API_SECRET || undefined,
  noticeUrl: process.env.SANDBOX_NOTICE_URL || undefined,
});
console.log(`
  PortOne V1 sandbox (offline stand-in; no real payment is ever made)
  REST API base URL  ${sandbox.url}
  iamport.js         ${sandbox.sdkUrl}
  control API        ${sandbox.url}/__sandbox/
  credentials        imp_key=${sandbox.credentials.apiKey}  imp_secret=${sandbox.credentials.apiSecret}
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    void sandbox.close().then(() => process.exit(0));
  });
}
