/**
 * `DATABASE_URL` → an order store. `sqlite:PATH` (relative to the working directory, or absolute; the file and
 * its directory are created on first start), `sqlite::memory:` (a private SQLite database, gone on close),
 * `memory:` (a Map, for tests), `postgres://…` or `postgresql://…` (the PostgreSQL store: a libpq-style URL as
 * node-postgres reads it, e.g. `postgres://user:password@host:5432/db?sslmode=require`).
 */
import { withoutPasswords } from '../log.js';
import { MemoryOrderStore } from './memory.js';
import type { PostgresStoreOptions } from './options.js';
import type { OrderStore } from './types.js';

export type { StoreOptions } from './common.js';
export type { PostgresStoreOptions } from './options.js';
export * from './types.js';

const SQLITE = 'sqlite:';

/** Every store reads `clock`; `schema`, `poolSize` and `connectTimeoutMs` are the PostgreSQL store's only. */
export type OpenStoreOptions = PostgresStoreOptions;

export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<OrderStore> {
  if (databaseUrl === 'memory:') return new MemoryOrderStore(options);
  if (databaseUrl.startsWith(SQLITE)) {
    const path = sqlitePath(databaseUrl);
    const sqlite = await loadDriver(() => import('./sqlite.js'), 'better-sqlite3', databaseUrl);
    return sqlite.openSqliteStore(path, options);
  }
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) return openPostgres(databaseUrl, options);
  throw new Error(`DATABASE_URL ${withoutPasswords(databaseUrl)} is not supported: use sqlite:PATH, postgres://…, sqlite::memory: or memory:`);
}

/**
 * A store module, loaded on demand: `better-sqlite3` and `pg` are optional peer dependencies, so only those
 * who use a database need its driver installed. A missing driver is named with the command that installs it.
 */
async function loadDriver<T>(load: () => Promise<T>, driver: string, databaseUrl: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw new Error(`DATABASE_URL ${withoutPasswords(databaseUrl)} needs the ${driver} package (npm install ${driver}): ${(error as Error).message}`, { cause: error });
  }
}

/** Any failure to start (no connection, bad credentials, a newer schema) names the URL, without its password. */
async function openPostgres(databaseUrl: string, options: PostgresStoreOptions): Promise<OrderStore> {
  const postgres = await loadDriver(() => import('./postgres.js'), 'pg', databaseUrl);
  try {
    return await postgres.openPostgresStore(databaseUrl, options);
  } catch (error) {
    throw new Error(`DATABASE_URL ${withoutPasswords(databaseUrl)}: ${blankPasswordOf(databaseUrl, (error as Error).message)}`, { cause: error });
  }
}

/** The path of `sqlite:PATH`, taken literally (no percent-decoding): `sqlite:./data/orders.db`, `sqlite:/var/x.db`. */
function sqlitePath(databaseUrl: string): string {
  const path = databaseUrl.slice(SQLITE.length);
  if (path === '') throw new Error(`DATABASE_URL ${databaseUrl} names no file: use sqlite:PATH, e.g. sqlite:./data/orders.db`);
  // `sqlite://name` would read as the absolute path /name, surely not what was meant; `sqlite:///abs` is fine.
  if (path.startsWith('//') && !path.startsWith('///')) {
    throw new Error(`DATABASE_URL ${databaseUrl}: sqlite: takes a path, not a host; use sqlite:./relative or sqlite:/absolute`);
  }
  return path;
}

/** `message` with the URL's password blanked wherever it stands, should a driver ever quote it bare. */
function blankPasswordOf(databaseUrl: string, message: string): string {
  let password = '';
  try {
    const url = new URL(databaseUrl);
    password = url.password || (url.searchParams.get('password') ?? '');
  } catch {
    return message;
  }
  if (!password) return message;
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {}
  return message.replaceAll(password, '***').replaceAll(decoded, '***');
}
