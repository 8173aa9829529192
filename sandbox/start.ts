/**
 * A sandbox listening on two ports (loopback unless told otherwise): PortOne V1 on `port`, PortOne V2 on `v2Port`
 * (PortOne V2 lives on another host than V1, and the official V2 server SDK resolves its paths against the origin
 * of its base URL, so V2 needs an address of its own). One process, one clock. `close()` stops both.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import { createSandboxApp } from './app.js';
import { SandboxControl } from './client.js';
import type { Credentials, V2Credentials } from './credentials.js';
import type { SandboxOptions, SandboxState } from './state.js';
import { createV2App } from './v2/app.js';
import { SandboxV2Control } from './v2/client.js';
import type { V2Options, V2State } from './v2/state.js';

export interface StartOptions extends SandboxOptions, Omit<V2Options, 'maxPayments' | 'maxLogEntries'> {
  /** Default 0: any free port. */
  port?: number;
  /** The V2 address's port. Default `port + 1` when `port` is given and not 0, else 0 (any free port). */
  v2Port?: number;
  /** Default 127.0.0.1 (both addresses). */
  host?: string;
}

/** The sandbox's PortOne V2 side. */
export interface SandboxV2 {
  /** REST V2 base URL (no trailing slash): use it where `https://api.portone.io` would go. */
  url: string;
  /** The stand-in browser SDK: use it where `https://cdn.portone.io/v2/browser-sdk.js` would go. */
  sdkUrl: string;
  /** The V2 API secret it accepts, its store id, and the secret its webhooks are signed with. */
  credentials: V2Credentials;
  /** Its control API (`${url}/__sandbox/…`). */
  control: SandboxV2Control;
  /** The console's V2 webhook URL (SANDBOX_V2_NOTICE_URL), used when a payment names no `noticeUrls`; kept across a reset. */
  setNoticeUrl(url: string | null): void;
  state: V2State;
  server: Server;
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
  /** PortOne V2, on its own address. */
  v2: SandboxV2;
  close(): Promise<void>;
}

function listen(app: Koa, port: number, host: string): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, () => resolve(s));
    s.once('error', reject);
  });
}

function urlOf(server: Server, host: string): string {
  const { port } = server.address() as AddressInfo;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function stop(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Start a sandbox listening on loopback; `close()` stops both addresses and their pending webhooks. */
export async function startSandbox(options: StartOptions = {}): Promise<Sandbox> {
  let url = '';
  let v2Url = '';
  const { app, state, webhooks } = createSandboxApp(options, () => url);
  const v2 = createV2App(state, options, () => v2Url);
  const host = options.host ?? '127.0.0.1';
  const server = await listen(app, options.port ?? 0, host);
  url = urlOf(server, host);
  const v2Port = options.v2Port ?? (options.port ? options.port + 1 : 0);
  let v2Server: Server;
  try {
    v2Server = await listen(v2.app, v2Port, host);
  } catch (error) {
    // EADDRINUSE and the like, as for V1: the caller names the variable; nothing is left listening.
    await stop(server);
    throw error;
  }
  v2Url = urlOf(v2Server, host);
  if (!options.quiet) {
    console.log(`[portone-sandbox] PortOne V1 SANDBOX, not PortOne: no real payment is made. REST ${url}  SDK ${url}/iamport.js`);
    console.log(`[portone-sandbox] PortOne V2 SANDBOX, not PortOne: no real payment is made. REST ${v2Url}  SDK ${v2Url}/browser-sdk.js`);
  }
  return {
    url,
    sdkUrl: `${url}/iamport.js`,
    credentials: state.credentials,
    control: new SandboxControl(url),
    state,
    server,
    v2: {
      url: v2Url,
      sdkUrl: `${v2Url}/browser-sdk.js`,
      credentials: v2.state.credentials,
      control: new SandboxV2Control(v2Url),
      setNoticeUrl: (noticeUrl) => v2.state.setNoticeUrl(noticeUrl),
      state: v2.state,
      server: v2Server,
    },
    close: async () => {
      webhooks.close();
      v2.webhooks.close();
      await Promise.all([stop(server), stop(v2Server)]);
    },
  };
}
