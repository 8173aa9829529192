/** A sandbox listening on a port (loopback unless told otherwise), with its control client; `close()` stops it. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSandboxApp } from './app.js';
import { SandboxControl } from './client.js';
import type { Credentials } from './credentials.js';
import type { SandboxOptions, SandboxState } from './state.js';

export interface StartOptions extends SandboxOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface Sandbox {
  /** REST V1 base URL: use it where PortOne's `https://api.iamport.kr` would go. */
  url: string;
  /** The stand-in iamport.js: use it where `https://cdn.iamport.kr/v1/iamport.js` would go. */
  sdkUrl: string;
  /** The REST API key and secret it accepts: give them to the PortOne client with `url`. */
  credentials: Credentials;
  /** Its control API (`/__sandbox/…`): payments without a browser, window scripts, faults, logs. */
  control: SandboxControl;
  state: SandboxState;
  server: Server;
  close(): Promise<void>;
}

/** Start a sandbox listening on loopback; `close()` stops it and its pending webhooks. */
export async function startSandbox(options: StartOptions = {}): Promise<Sandbox> {
  let url = '';
  const { app, state, webhooks } = createSandboxApp(options, () => url);
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.port ?? 0, host, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (!options.quiet) console.log(`[portone-sandbox] PortOne V1 SANDBOX, not PortOne: no real payment is made. REST ${url}  SDK ${url}/iamport.js`);
  return {
    url,
    sdkUrl: `${url}/iamport.js`,
    credentials: state.credentials,
    control: new SandboxControl(url),
    state,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        webhooks.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
