/**
 * What the page's merchant endpoints received (the real verifier under /__verifier/ and the fault endpoints under
 * /__test/), in arrival order, so a browser test can assert what the element sent:
 *
 *   GET    /__test/calls   the requests received, oldest first: [{path, query, body}]
 *   DELETE /__test/calls   forget them
 *
 * A request that carries SETUP_HEADER (test/support/page-origin.ts) is the test's own setup, not the element's:
 * it is not recorded.
 */
import type { Context, Next } from 'koa';
import { SETUP_HEADER } from './page-origin.js';

export interface Received {
  path: string;
  query: string;
  body: unknown;
}

export class ReceivedLog {
  readonly #calls: Received[] = [];

  /** Record a request the element made (those marked as the test's own setup are skipped). */
  record(ctx: Context, body: unknown): void {
    if (ctx.get(SETUP_HEADER)) return;
    this.#calls.push({ path: ctx.path, query: ctx.querystring, body });
  }

  /** The dev-server middleware that serves /__test/calls. */
  endpoint() {
    return async (ctx: Context, next: Next) => {
      if (ctx.path !== '/__test/calls') return next();
      if (ctx.method === 'DELETE') this.#calls.length = 0;
      ctx.body = this.#calls;
    };
  }
}

/** The request's body as JSON (`{}` when empty or not JSON), read from the raw stream: the dev server parses none. */
export async function readBody(ctx: Context): Promise<{ raw: Buffer; json: Record<string, unknown> }> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  try {
    const json: unknown = JSON.parse(raw.toString('utf8') || '{}');
    return { raw, json: json && typeof json === 'object' ? (json as Record<string, unknown>) : {} };
  } catch {
    return { raw, json: {} };
  }
}
