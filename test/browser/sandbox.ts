// Helpers for browser tests that talk to the PortOne sandbox started by web-test-runner.config.mjs.
declare global {
  interface Window {
    SANDBOX_URL: string;
    IMP?: Iamport;
  }
}

export interface Iamport {
  init(userCode: string): void;
  request_pay(params: Record<string, unknown>, callback?: (rsp: Record<string, unknown>) => void): void;
  close(): void;
  sandbox?: { origin: string; deviceKey: string };
}

export const sandboxUrl = window.SANDBOX_URL;

/** Call the sandbox's control API; throws on a non-2xx answer. */
export async function control<T = unknown>(path: string, method = 'GET', body?: unknown): Promise<T> {
  const response = await fetch(`${sandboxUrl}/__sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} /__sandbox${path} → ${response.status} ${await response.text()}`);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

let loading: Promise<Iamport> | undefined;

/** Load the stand-in iamport.js once for this test file. */
export function loadSdk(): Promise<Iamport> {
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = `${sandboxUrl}/iamport.js`;
    script.onload = () => (window.IMP ? resolve(window.IMP) : reject(new Error('iamport.js loaded without IMP')));
    script.onerror = () => reject(new Error('iamport.js failed to load'));
    document.head.append(script);
  });
  return loading;
}

let counter = 0;
/** A merchant_uid no other test uses, so scripts queued for it cannot reach another test's window. */
export function uniqueMerchantUid(prefix = 'wtr'): string {
  return `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
}

/** request_pay as a promise of the callback's response. */
export async function requestPay(params: Record<string, unknown>, userCode = 'imp12345678'): Promise<Record<string, unknown>> {
  const IMP = await loadSdk();
  IMP.init(userCode);
  return new Promise((resolve) => IMP.request_pay(params, resolve));
}
