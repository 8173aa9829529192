/**
 * The stores' options, apart from the stores themselves: `openStore` (and so the published `portone-checkout/server`
 * declarations) names them without importing postgres.ts, whose declarations import `pg`'s types. A TypeScript app
 * that uses SQLite or memory then needs neither `pg` nor `@types/pg` installed (test/types/server-sqlite).
 * Type-only: nothing here exists at run time.
 */
import type { StoreOptions } from './common.js';

export interface PostgresStoreOptions extends StoreOptions {
  /**
   * The schema that holds the tables, created on first start when missing. Default: the connection's current
   * schema (the first existing one on its search_path, normally `public`), read once at start. Tests give each
   * test a schema of its own; an operator may use it to keep the verifier's tables apart.
   */
  schema?: string;
  /** Connections per process (pg's `max`). Default 10; several processes share the server's max_connections. */
  poolSize?: number;
  /** How long to wait for a connection, at start and for each call when all are busy. Default 10 000 ms. */
  connectTimeoutMs?: number;
}
