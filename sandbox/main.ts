/**
 * `npm run sandbox`: the PortOne sandbox alone, V1 and V2 on two addresses. PORT (default 8081) and HOST (default
 * 127.0.0.1) for V1; SANDBOX_V2_PORT (default PORT + 1) for V2. SANDBOX_API_KEY / SANDBOX_API_SECRET set the accepted V1
 * credentials, SANDBOX_NOTICE_URL the console's V1 notification URL; SANDBOX_V2_API_SECRET the accepted V2 API secret,
 * SANDBOX_V2_WEBHOOK_SECRET the secret V2 webhooks are signed with, SANDBOX_V2_NOTICE_URL the console's V2 webhook URL.
 */
import { startSandbox } from './index.js';

function port(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`${name} must be an integer from 0 to 65535, got "${value}"`);
    process.exit(1);
  }
  return n;
}

const v1Port = port('PORT', process.env.PORT, 8081);
const v2Port = port('SANDBOX_V2_PORT', process.env.SANDBOX_V2_PORT, v1Port === 0 ? 0 : v1Port + 1);
const sandbox = await startSandbox({
  port: v1Port,
  v2Port,
  host: process.env.HOST || '127.0.0.1',
  apiKey: process.env.SANDBOX_API_KEY || undefined,
  apiSecret: process.env.SANDBOX_API_SECRET || undefined,
  noticeUrl: process.env.SANDBOX_NOTICE_URL || undefined,
  v2ApiSecret: process.env.SANDBOX_V2_API_SECRET || undefined,
  v2WebhookSecret: process.env.SANDBOX_V2_WEBHOOK_SECRET || undefined,
  v2NoticeUrl: process.env.SANDBOX_V2_NOTICE_URL || undefined,
}).catch((error: NodeJS.ErrnoException) => {
  if (error.code === 'EADDRINUSE') {
    console.error(`port in use: ${error.message}. Set PORT (V1) or SANDBOX_V2_PORT (V2) to a free port.`);
    process.exit(1);
  }
  throw error;
});
const v2 = sandbox.v2;
console.log(`
  PortOne sandbox (offline stand-in; no real payment is ever made)

  V1  REST API base URL  ${sandbox.url}
      iamport.js         ${sandbox.sdkUrl}
      control API        ${sandbox.url}/__sandbox/
      credentials        imp_key=${sandbox.credentials.apiKey}  imp_secret=${sandbox.credentials.apiSecret}
      notice URL         ${sandbox.state.config.notice_url ?? '(none: SANDBOX_NOTICE_URL)'}

  V2  REST API base URL  ${v2.url}
      browser-sdk.js     ${v2.sdkUrl}
      control API        ${v2.url}/__sandbox/
      API secret         ${v2.credentials.apiSecret}   (Authorization: PortOne <secret>)
      store id           ${v2.credentials.storeId}
      webhook secret     ${v2.credentials.webhookSecret}
      notice URL         ${v2.state.config.noticeUrl ?? '(none: SANDBOX_V2_NOTICE_URL)'}
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    void sandbox.close().then(() => process.exit(0));
  });
}
