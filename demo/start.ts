/**
 * `npm start`: the offline demo. For now it is the PortOne sandbox and a page that drives it directly
 * through the stand-in iamport.js; the <portone-checkout> element and the verifier join it as they land.
 * PORT (default 8080) serves the page; the sandbox, which plays PortOne, listens on SANDBOX_PORT
 * (default PORT + 1), never on the page's port.
 */
import { readFile } from 'node:fs/promises';
import Koa from 'koa';
import { startSandbox } from '../server/sandbox/index.js';

function portFrom(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    console.error(`${name} must be an integer from 1 to 65535, got "${value}"`);
    process.exit(1);
  }
  return n;
}

const host = process.env.HOST || '127.0.0.1';
const port = portFrom('PORT', process.env.PORT, 8080);
const sandbox = await startSandbox({ host, port: portFrom('SANDBOX_PORT', process.env.SANDBOX_PORT, port + 1) });

const page = new URL('./index.html', import.meta.url);
const app = new Koa();
app.use(async (ctx) => {
  if (ctx.path !== '/' && ctx.path !== '/index.html') return;
  const html = await readFile(page, 'utf8');
  ctx.type = 'html';
  ctx.body = html.replaceAll('%SANDBOX_URL%', sandbox.url);
});
const server = app.listen(port, host, () => {
  console.log(`\n  portone-checkout demo (offline: PortOne is played by the sandbox)\n  open  http://${host}:${port}/\n`);
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    server.close();
    void sandbox.close().then(() => process.exit(0));
  });
}
