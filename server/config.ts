/**
 * The verifier's configuration: the environment, parsed once with zod into a frozen object. The only reader
 * of `process.env` in the server. Every bad variable is named in one message (t3-env's way); the entry point
 * prints it and exits 1.
 */
import { z } from 'zod';
import { webhookKey } from './webhook-signature.js';
import { withoutPasswords } from './log.js';
import { issueProblem } from './zod-issues.js';

/** A TCP port: digits only (no "1e3", "0x1F90" or " "), 0 to 65535; 0 asks the system for a free one. */
const port = z
  .string()
  .trim()
  .regex(/^\d+$/, 'must be a port number (0 to 65535)')
  .transform(Number)
  .pipe(z.number().max(65535, 'must be a port number (0 to 65535)'));
/** setInterval's limit is 2^31 − 1 ms (about 24.8 days); beyond it Node fires every millisecond instead. */
const MAX_MINUTES = Math.floor((2 ** 31 - 1) / 60_000);
const minutes = z
  .string()
  .trim()
  .regex(/^-?\d+(\.\d+)?$/, 'must be a number of minutes')
  .transform(Number)
  .pipe(z.number().min(0, 'must not be negative').max(MAX_MINUTES, `must be at most ${MAX_MINUTES} minutes`));
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const databaseUrl = z.string().refine((url) => {
  if (url === 'memory:') return true;
  if (/^postgres(ql)?:\/\/.+/i.test(url)) return true;
  // As the store reads it: a path after `sqlite:`, not `sqlite://host` (`sqlite:///absolute` is a path).
  const path = /^sqlite:(.+)$/.exec(url)?.[1];
  return path !== undefined && !(path.startsWith('//') && !path.startsWith('///'));
}, 'must be sqlite:PATH (relative or absolute), postgres://… or memory:');
const origins = z
  .string()
  .transform((list) => list.split(',').map((o) => o.trim()).filter(Boolean))
  .pipe(z.array(z.url({ protocol: /^https?$/, error: 'must be a comma list of http(s) origins' }).transform((o) => new URL(o).origin)));
const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
/** `true` or `false`, as written in an environment file. */
const flag = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false'], { error: 'must be true or false' }))
  .transform((value) => value === 'true');
/** Standard Webhooks secrets (`whsec_` + base64), comma-separated: at most two, as PortOne keeps during a rotation. */
const webhookSecrets = z
  .string()
  .transform((list) => list.split(',').map((s) => s.trim()).filter(Boolean))
  .superRefine((secrets, context) => {
    if (secrets.length > 2) context.addIssue({ code: 'custom', message: `at most two secrets (a rotation), got ${secrets.length}` });
    secrets.forEach((secret, index) => {
      try {
        webhookKey(secret, 1);
      } catch (error) {
        context.addIssue({ code: 'custom', message: `secret ${index + 1} ${(error as Error).message}` });
      }
    });
  });
const count = z.string().trim().regex(/^\d+$/, 'must be a whole number (0 or more)').transform(Number).pipe(z.number().max(1_000_000, 'must be at most 1000000'));

/** Each variable on its own; what depends on several is checked in `crossChecks`, so every problem is named at once. */
const environment = z.object({
  PORT: port.default(8080),
  HOST: z.string().trim().min(1, 'must not be blank').default('127.0.0.1'),
  SANDBOX_PORT: port.optional(),
  /** `true`: the built-in sandbox plays PortOne (demo, local development). Never a fallback. */
  PORTONE_SANDBOX: flag.default(false),
  PORTONE_API_KEY: z.string().min(1, 'must not be empty').optional(),
  PORTONE_API_SECRET: z.string().min(1, 'must not be empty').optional(),
  PORTONE_API_URL: httpUrl.optional(),
  /** PortOne V2 (SPEC §8.2): served when the secret is set (or with the sandbox). */
  PORTONE_V2_API_SECRET: z.string().min(1, 'must not be empty').optional(),
  PORTONE_V2_STORE_ID: z.string().trim().min(1, 'must not be blank').optional(),
  PORTONE_V2_API_URL: httpUrl.optional(),
  PORTONE_V2_WEBHOOK_SECRETS: webhookSecrets.optional(),
  /** Payments made through a TEST channel count as paid: default false with real keys, true in the sandbox. */
  PORTONE_ACCEPT_TEST_PAYMENTS: flag.optional(),
  DATABASE_URL: databaseUrl.default('sqlite:./data/orders.db'),
  ALLOWED_ORIGINS: origins.default([]),
  /** The price authority's catalog (JSON), read at start. */
  CATALOG_FILE: z.string().trim().min(1, 'must be a file path').optional(),
  FULFILMENT_URL: httpUrl.optional(),
  FULFILMENT_SECRET: z.string().min(1, 'must not be empty').optional(),
  PREPARE_RATE_LIMIT: count.default(30),
  /** Behind a reverse proxy: client addresses from X-Forwarded-For. */
  TRUST_PROXY: flag.default(false),
  /** Reconcile orders still `ready` / `vbank_issued` after this many minutes. */
  RECONCILE_AFTER_MINUTES: minutes.default(10),
  /** Run reconcile inside the server every N minutes; 0 turns it off (then use `npm run reconcile`). */
  RECONCILE_INTERVAL_MINUTES: minutes.default(0),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
});

type Issue = { variable: string; message: string };

/** Problems between variables, read from the raw (set, non-empty) variables so they are found even when others are bad. */
function crossChecks(present: Record<string, string>): Issue[] {
  const issues: Issue[] = [];
  const hasKey = present.PORTONE_API_KEY !== undefined;
  const hasSecret = present.PORTONE_API_SECRET !== undefined;
  const sandbox = present.PORTONE_SANDBOX?.trim().toLowerCase() === 'true';
  const hasV2 = present.PORTONE_V2_API_SECRET !== undefined;
  if (sandbox) {
    // The sandbox never stands in for real keys, nor real keys for the sandbox: one or the other, said on purpose.
    for (const variable of ['PORTONE_API_KEY', 'PORTONE_API_SECRET', 'PORTONE_API_URL', 'PORTONE_V2_API_SECRET', 'PORTONE_V2_STORE_ID', 'PORTONE_V2_API_URL', 'PORTONE_V2_WEBHOOK_SECRETS'] as const) {
      if (present[variable] !== undefined) issues.push({ variable, message: 'must not be set with PORTONE_SANDBOX=true (the built-in sandbox plays PortOne); unset one of them' });
    }
    // The sandbox is PortOne, a stranger: never on the verifier's own port.
    const verifierPort = present.PORT?.trim() ?? '8080';
    const sandboxPort = present.SANDBOX_PORT?.trim();
    if (sandboxPort !== undefined && /^\d+$/.test(sandboxPort) && Number(sandboxPort) !== 0 && Number(sandboxPort) === Number(verifierPort)) {
      issues.push({ variable: 'SANDBOX_PORT', message: `must differ from PORT (${verifierPort}): the sandbox plays PortOne on its own port` });
    }
    // Its V2 side listens on the next port (PortOne V2 lives on another host than V1): that one must be free too.
    if (sandboxPort !== undefined && /^\d+$/.test(sandboxPort) && Number(sandboxPort) !== 0) {
      if (Number(sandboxPort) + 1 === Number(verifierPort)) issues.push({ variable: 'SANDBOX_PORT', message: `must not be PORT − 1: the sandbox's V2 side listens on SANDBOX_PORT + 1 (${verifierPort})` });
      if (Number(sandboxPort) === 65535) issues.push({ variable: 'SANDBOX_PORT', message: "must be below 65535: the sandbox's V2 side listens on SANDBOX_PORT + 1" });
    }
  } else if (hasV2 && !hasKey && !hasSecret) {
    // V2 alone: V1's keys are not needed.
  } else {
    const missing = [...(hasKey ? [] : ['PORTONE_API_KEY']), ...(hasSecret ? [] : ['PORTONE_API_SECRET'])];
    for (const variable of missing) {
      issues.push({
        variable,
        message:
          hasKey || hasSecret
            ? `must be set together with ${hasKey ? 'PORTONE_API_KEY' : 'PORTONE_API_SECRET'}`
            : "required: PortOne's REST API key and secret, or PORTONE_V2_API_SECRET for V2 alone (for a local try without PortOne, set PORTONE_SANDBOX=true instead)",
      });
    }
  }
  if (!sandbox) {
    if (hasV2 && present.PORTONE_V2_STORE_ID === undefined) {
      issues.push({ variable: 'PORTONE_V2_STORE_ID', message: 'required with PORTONE_V2_API_SECRET: the store (store-…) whose payments this server accepts' });
    }
    for (const variable of ['PORTONE_V2_STORE_ID', 'PORTONE_V2_API_URL', 'PORTONE_V2_WEBHOOK_SECRETS'] as const) {
      if (present[variable] !== undefined && !hasV2) issues.push({ variable, message: 'needs PORTONE_V2_API_SECRET (PortOne V2 is served only with it)' });
    }
  }
  if (present.FULFILMENT_URL !== undefined && present.FULFILMENT_SECRET === undefined) {
    issues.push({ variable: 'FULFILMENT_SECRET', message: 'required with FULFILMENT_URL: it signs every delivery (whsec_ + base64, at least 24 random bytes)' });
  }
  if (present.FULFILMENT_SECRET !== undefined) {
    if (present.FULFILMENT_URL === undefined) issues.push({ variable: 'FULFILMENT_SECRET', message: 'needs FULFILMENT_URL (where paid orders are posted)' });
    else {
      try {
        webhookKey(present.FULFILMENT_SECRET);
      } catch (error) {
        issues.push({ variable: 'FULFILMENT_SECRET', message: (error as Error).message });
      }
    }
  }
  return issues;
}

/** A value fit to print: never a key or secret, and URLs without their password. */
function shown(variable: string, value: string | undefined): string {
  if (value === undefined) return '';
  if (/KEY|SECRET/.test(variable)) return '';
  return ` (got ${JSON.stringify(withoutPasswords(value))})`;
}

export interface Config {
  port: number;
  host: string;
  /** PortOne's REST V1 credentials and base URL; null when `sandbox`, or when V2 is served alone. */
  portone: { apiKey: string; apiSecret: string; apiUrl: string } | null;
  /** PortOne's REST V2 secret, store, base URL and webhook secrets; null when `sandbox` (it plays V2) or V2 is not served. */
  portoneV2: { apiSecret: string; storeId: string; apiUrl: string; webhookSecrets: string[] } | null;
  /** TEST-channel payments count (PORTONE_ACCEPT_TEST_PAYMENTS; default: only in the sandbox). */
  acceptTestPayments: boolean;
  /** PORTONE_SANDBOX=true: the built-in sandbox plays PortOne, in this process, on 127.0.0.1:`sandboxPort`. */
  sandbox: boolean;
  sandboxPort: number;
  databaseUrl: string;
  /** Origins allowed by CORS; empty: same origin only. */
  allowedOrigins: string[];
  /** The price authority's catalog file, when set. */
  catalogFile: string | null;
  fulfilmentEndpoint: { url: string; secret: string } | null;
  prepareRateLimit: number;
  trustProxy: boolean;
  reconcileAfterMinutes: number;
  reconcileIntervalMinutes: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parse `env` (default `process.env`); throws ConfigError naming each bad variable, one per line. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  // An empty variable means "not set", as in most deployment tools.
  const present = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
  const result = environment.safeParse(present, { reportInput: true });
  const issues: Issue[] = [
    ...(result.success ? [] : result.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? 'environment'), message: issueProblem(issue) }))),
    ...crossChecks(present),
  ];
  if (!result.success || issues.length > 0) {
    const lines = issues.map(({ variable, message }) => `  ${variable}: ${message}${shown(variable, present[variable])}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = result.data;
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    portone: e.PORTONE_API_KEY && e.PORTONE_API_SECRET ? { apiKey: e.PORTONE_API_KEY, apiSecret: e.PORTONE_API_SECRET, apiUrl: e.PORTONE_API_URL ?? 'https://api.iamport.kr' } : null,
    portoneV2:
      e.PORTONE_V2_API_SECRET && e.PORTONE_V2_STORE_ID
        ? { apiSecret: e.PORTONE_V2_API_SECRET, storeId: e.PORTONE_V2_STORE_ID, apiUrl: e.PORTONE_V2_API_URL ?? 'https://api.portone.io', webhookSecrets: e.PORTONE_V2_WEBHOOK_SECRETS ?? [] }
        : null,
    acceptTestPayments: e.PORTONE_ACCEPT_TEST_PAYMENTS ?? e.PORTONE_SANDBOX,
    sandbox: e.PORTONE_SANDBOX,
    // PORT + 1; 0 (any free port) stays 0, and the last port has no next one.
    sandboxPort: e.SANDBOX_PORT ?? (e.PORT === 0 ? 0 : e.PORT === 65535 ? 65534 : e.PORT + 1),
    databaseUrl: e.DATABASE_URL,
    allowedOrigins: e.ALLOWED_ORIGINS,
    catalogFile: e.CATALOG_FILE ?? null,
    fulfilmentEndpoint: e.FULFILMENT_URL && e.FULFILMENT_SECRET ? { url: e.FULFILMENT_URL, secret: e.FULFILMENT_SECRET } : null,
    prepareRateLimit: e.PREPARE_RATE_LIMIT,
    trustProxy: e.TRUST_PROXY,
    reconcileAfterMinutes: e.RECONCILE_AFTER_MINUTES,
    reconcileIntervalMinutes: e.RECONCILE_INTERVAL_MINUTES,
    logLevel: e.LOG_LEVEL,
  });
}
