/**
 * Structured logs: one JSON object per line on stdout (errors on stderr), with a level, a message and
 * fields. Keys that may carry secrets are masked wherever they appear, so a logged request or error never
 * leaks PortOne's key, secret or access token.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };
const SECRET_KEY = /secret|password|token|authorization|imp_key|api_?key/i;

/** Primitive properties an error may carry that say what went wrong (`code: 'ECONNREFUSED'`, `status: 401`). */
const ERROR_DETAILS = ['code', 'status', 'errno', 'syscall'] as const;

/**
 * A copy of `value` that JSON can always write, with secret-looking keys masked: errors become
 * `{name, message, code?, status?, cause?, errors?}` (no stack in logs by default), dates their ISO text, URLs
 * their text without a password, bigints their digits, maps and sets plain objects and arrays, and a
 * reference back to an enclosing object `[circular]`.
 */
export function redact(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return withoutPasswords(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return String(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof URL) return withoutPasswords(value.href);
  if (depth > 5) return '[deep]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    if (value instanceof Error) {
      const details = Object.fromEntries(ERROR_DETAILS.flatMap((key) => {
        const detail = (value as unknown as Record<string, unknown>)[key];
        return typeof detail === 'string' || typeof detail === 'number' ? [[key, detail]] : [];
      }));
      return {
        name: value.name,
        message: withoutPasswords(value.message),
        ...details,
        ...(value.cause !== undefined ? { cause: redact(value.cause, depth + 1, seen) } : {}),
        ...(value instanceof AggregateError ? { errors: redact(value.errors, depth + 1, seen) } : {}),
      };
    }
    if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen));
    if (value instanceof Set) return [...value].map((v) => redact(v, depth + 1, seen));
    const entries = value instanceof Map ? [...value].map(([k, v]) => [String(k), v] as const) : Object.entries(value);
    return Object.fromEntries(entries.map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1, seen)]));
  } finally {
    // Only the path from the root counts as circular: the same object twice side by side is written twice.
    seen.delete(value);
  }
}

/** `scheme://user:password@host` and `password=…` (a libpq-style query) anywhere in a text. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s/]*@/gi;
const QUERY_PASSWORD = /([?&]password=)[^&\s#]*/gi;

/**
 * A text with the password part of every URL in it masked (`postgres://app:***@db/shop`): a DATABASE_URL or a
 * PORTONE_API_URL quoted in a log line, an error or a configuration message never shows its password.
 */
export function withoutPasswords(text: string): string {
  return text.replace(URL_PASSWORD, '$1***@').replace(QUERY_PASSWORD, '$1***');
}

/** The line's own keys: a field of the same name is kept as `field_<name>` rather than replacing them. */
const OWN_KEYS = new Set(['time', 'level', 'message']);

export function createLogger(level: LogLevel = 'info', base: LogFields = {}, write: (line: string, level: LogLevel) => void = defaultWrite): Logger {
  const log = (at: LogLevel, message: string, fields?: LogFields) => {
    if (RANK[at] < RANK[level]) return;
    const line: Record<string, unknown> = { time: new Date().toISOString(), level: at, message };
    for (const [key, value] of Object.entries(redact({ ...base, ...fields }) as LogFields)) line[OWN_KEYS.has(key) ? `field_${key}` : key] = value;
    line.message = withoutPasswords(message);
    // A log call must never throw into the code that logs (often a catch block).
    let text: string;
    try {
      text = JSON.stringify(line);
    } catch (error) {
      text = JSON.stringify({ time: line.time, level: at, message, log_error: (error as Error).message });
    }
    write(text, at);
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }, write),
  };
}

function defaultWrite(line: string, level: LogLevel): void {
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(`${line}\n`);
}

/** For tests and library users who log elsewhere. */
export const silentLogger: Logger = createLogger('silent');
