/**
 * `portone-checkout/server`: the reference verifier as a library.
 *
 *   import { createApp, PortOneClient, openStore } from 'portone-checkout/server';
 *   const app = createApp({ store: await openStore('sqlite:./data/orders.db'), portone: new PortOneClient({...}), priceOrder, onPaid });
 */
export { type AppDeps, createApp, MissingV2Hook, NoPriceAuthority, type VerifierApp } from './app.js';
export { type Config, ConfigError, loadConfig } from './config.js';
export { RouteError } from './errors.js';
export { deliveryId, type FulfilmentEndpoint, FulfilmentDeliverer, type FulfilmentHook, type FulfilmentHookV2, type FulfilmentOptions, signWebhook, webhookKey } from './fulfilment.js';
export { verifyWebhook, type WebhookRefusal } from './webhook-signature.js';
export { PortOneV2Client, type PortOneV2ClientOptions, PortOneV2Refused } from './portone/v2/client.js';
export type { PortOneV2Payment } from './portone/v2/schemas.js';
export type { PaymentView } from './portone/gateway.js';
export { createLogger, type Logger, silentLogger, withoutPasswords } from './log.js';
export { main, type RunningServer, startServer, type StartOptions } from './main.js';
export { PortOneClient, type PortOneClientOptions, PortOneRefused, PortOneUnavailable } from './portone/client.js';
export type { PortOnePayment, PortOnePaymentStatus } from './portone/schemas.js';
export { reconcile, type ReconcileOptions, type ReconcileReport } from './reconcile.js';
export { type Catalog, type CatalogEntry, CatalogError, catalogPricing, loadCatalog, parseCatalog, type Price, type PriceOrder, type PriceRequest } from './pricing.js';
export { outcomeLabel, settle, settlePayment, settleV2, type SettleOutcome } from './settle.js';
export { openStore } from './store/index.js';
export type { Disposition, Fulfilment, FulfilmentState, HistoryEntry, Order, OrderItem, OrderState, OrderStore, OrderVersion, PaymentEntry, RefundReason, TransitionVia } from './store/types.js';
