// The README's server snippets, as a SQLite-only TypeScript app writes them (see tsconfig.json for what it has
// installed). Compiled by `npm test` (the types step) after the build.
import { createApp, type Order, type OrderStore, openStore, type PortOnePayment, PortOneClient, RouteError } from 'portone-checkout/server';
import { catalogPricing, loadCatalog, reconcile, settle, startServer, loadConfig } from 'portone-checkout/server';
import { startSandbox } from 'portone-checkout/sandbox';

const store: OrderStore = await openStore('sqlite:./data/orders.db');
const portone = new PortOneClient({ apiUrl: 'https://api.iamport.kr', apiKey: 'key', apiSecret: 'secret' });
const onPaid = async (order: Order, payment: PortOnePayment): Promise<void> => {
  console.log(order.merchant_uid, payment.imp_uid);
};
const carts = { find: async (merchantUid: string | null) => ({ total: 14000, title: `cart ${merchantUid}` }) };

// README: "Your own pricing (a database, coupons, stock)".
const app = createApp({ store, portone, onPaid,
  priceOrder: async ({ items, merchant_uid }) => {
    const cart = await carts.find(merchant_uid); // your data; throw RouteError(409, {...}) when sold out
    if (items?.length === 0) throw new RouteError(409, { status: 'error', message: 'sold out' });
    return { amount: cart.total, currency: 'KRW', name: cart.title };
  } });
app.listen(8080);
await app.close();

// README: "The library".
const fromCatalog = createApp({ store, portone, priceOrder: catalogPricing(await loadCatalog('./catalog.json')) });
await fromCatalog.close();
// @ts-expect-error openStore takes a URL
await openStore({ url: 'sqlite:./data/orders.db' });

const sandbox = await startSandbox({ port: 0, quiet: true });
const sandboxUrl: string = sandbox.url;
const sdkUrl: string = sandbox.sdkUrl;
await sandbox.close();

void [settle, reconcile, startServer, loadConfig, sandboxUrl, sdkUrl];
