// What every test verifier does with its app: listen on loopback port 0, read answers whatever their body, and close
// without waiting for idle keep-alive connections (a test's fetches leave some, and close would wait for them).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  server: Server;
  /** `http://127.0.0.1:<port>`. */
  url: string;
}

export async function listenOnLoopback(app: { listen(port: number, host: string, listening: () => void): Server }): Promise<LoopbackServer> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export function closeNow(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The status and the parsed JSON body; a body that is not JSON is kept as text, so a test can say what came back. */
export async function readAnswer(response: Response): Promise<{ status: number; body: any }> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: body as any };
}
