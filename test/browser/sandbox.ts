// Helpers for browser tests that talk to the PortOne sandbox started by web-test-runner.config.mjs, through the
// sandbox's own control client.
import { type ControlMethod, SandboxControl } from '../../sandbox/client.js';
import type { NewScript } from '../../sandbox/control-api.js';
import type { Payment } from '../../sandbox/v1/payment-object.js';
import { SandboxV2Control } from '../../sandbox/v2/client.js';

declare global {
  interface Window {
    SANDBOX_URL: string;
    SANDBOX_V2_URL: string;
    IMP?: Iamport;
  }
}

export interface Iamport {
  init(userCode: string): void;
  deinit?(): void;
  request_pay(params?: Record<string, unknown>, callback?: (rsp: Record<string, unknown>) => void): void;
  close(): void;
  sandbox?: { origin: string; deviceKey: string };
}

export type Rsp = Record<string, unknown>;

export const sandboxUrl = window.SANDBOX_URL;

export const sandboxControl = new SandboxControl(sandboxUrl);

/** The sandbox's PortOne V2 side: its own address, its stand-in browser-sdk.js, and its control client (CORS open). */
export const sandboxV2Url = window.SANDBOX_V2_URL;
export const V2_SDK_URL = `${sandboxV2Url}/browser-sdk.js`;
export const sandboxV2 = new SandboxV2Control(sandboxV2Url);

/** Call the sandbox's control API; throws on a non-2xx answer. */
export function control<T = unknown>(path: string, method: ControlMethod = 'GET', body?: unknown): Promise<T> {
  return sandboxControl.call<T>(method, path, body);
}

/** A scripted payment-window choice (POST /__sandbox/scripts) for one order. */
export type Script = NewScript & { merchant_uid: string };

export function queueScript(script: Script): Promise<unknown> {
  return sandboxControl.queueScript(script);
}

/** The payment as the sandbox's REST API holds it (the control API's view, readable across origins). */
export function payment(impUid: string): Promise<Payment> {
  return sandboxControl.payment(impUid);
}

/** Every payment the sandbox holds for a merchant_uid (newest first). */
export async function paymentsFor(merchantUid: string): Promise<Payment[]> {
  const { payments } = await sandboxControl.payments(1000);
  return payments.filter((p) => p.merchant_uid === merchantUid);
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
export async function requestPay(params: Record<string, unknown>, userCode = 'imp12345678'): Promise<Rsp> {
  const IMP = await loadSdk();
  IMP.init(userCode);
  return new Promise((resolve) => IMP.request_pay(params, resolve));
}

/** Script a choice for a fresh merchant_uid, then pay with it; resolves with the callback's response. */
export async function payScripted(script: Omit<Script, 'merchant_uid'>, params: Record<string, unknown> = {}): Promise<{ merchant_uid: string; rsp: Rsp }> {
  const merchant_uid = uniqueMerchantUid();
  await queueScript({ ...script, merchant_uid });
  const rsp = await requestPay({ pg: 'html5_inicis.INIpayTest', pay_method: 'card', amount: 1000, name: '테스트 상품', ...params, merchant_uid });
  return { merchant_uid, rsp };
}

/**
 * The payment window's iframe once the SDK has opened its overlay and the window has loaded (the SDK
 * focuses the frame on its `load`; this listener is added after the SDK's, so it runs after it).
 */
export function loadedPaymentFrame(): Promise<HTMLIFrameElement> {
  return new Promise((resolve) => {
    const watch = (frame: HTMLIFrameElement) => frame.addEventListener('load', () => resolve(frame), { once: true });
    const existing = document.querySelector<HTMLIFrameElement>('.imp-dialog iframe');
    if (existing) throw new Error('an overlay is already open: wait for it before the request');
    const observer = new MutationObserver(() => {
      const frame = document.querySelector<HTMLIFrameElement>('.imp-dialog iframe');
      if (!frame) return;
      observer.disconnect();
      watch(frame);
    });
    observer.observe(document.body, { childList: true, subtree: true });
  });
}

/** Replace window.alert for the duration of `fn`, returning what was alerted. */
export async function captureAlerts(fn: () => void | Promise<void>): Promise<string[]> {
  const alerts: string[] = [];
  const original = window.alert;
  window.alert = (message?: unknown) => void alerts.push(String(message));
  try {
    await fn();
  } finally {
    window.alert = original;
  }
  return alerts;
}
