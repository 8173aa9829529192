/**
 * The test payment window's protocol-free routes: its script (`/__sandbox/window.js`) and the landing page that
 * stands in for PortOne's result page. The window itself is opened and answered by each protocol (v1/window.ts).
 */
import { readFileSync } from 'node:fs';
import { Router } from '@koa/router';
import { type Protocol, renderLanding } from './page.js';

/** `protocol`: which sandbox the landing page names (each address serves its own). */
export function createWindowRouter(protocol: Protocol = 'V1'): Router {
  const router = new Router({ prefix: '/__sandbox' });
  const script = readFileSync(new URL('./window.js', import.meta.url), 'utf8');

  router.get('/window.js', (ctx) => {
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.body = script;
  });

  router.get('/landing', (ctx) => {
    ctx.type = 'html';
    ctx.body = renderLanding({ lang: 'ko', title: 'PortOne 샌드박스 결제 결과', query: ctx.query as Record<string, string>, protocol });
  });

  return router;
}
