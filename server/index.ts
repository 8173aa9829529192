/**
 * `portone-checkout/server`: the reference verifier as a library.
 *
 *   import { createApp, PortOneClient, openStore } from 'portone-checkout/server';
 *   const app = createApp({ store: await openStore('sqlite:./data/orders.db'), portone: new PortOneClient({...}), onPaid });
 */
export { type AppDeps, createApp } from './app.js';
export { type Config, ConfigError, loadConfig } from './config.js';
export { RouteError } from './errors.js';
export { createLogger, type Logger, silentLogger } from './log.js';
export { main, type RunningServer, startServer, type StartOptions } from './main.js';
export { PortOneClient, type PortOneClientOptions, PortOneRefused, PortOneUnavailable } from './portone/client.js';
export type { PortOnePayment, PortOnePaymentStatus } from './portone/schemas.js';
export { reconcile, type ReconcileOptions, type ReconcileReport } from './reconcile.js';
export { type FulfilmentHook, settle, type Settlement } from './settle.js';
export { openStore } from './store/index.js';
export type { HistoryEntry, Order, OrderState, OrderStore, TransitionVia } from './store/types.js';
