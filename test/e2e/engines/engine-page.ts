// One small page interface over the three drivers the end-to-end suite uses per engine: Playwright (Chromium),
// Puppeteer over WebDriver BiDi (Firefox), webdriverio and WebKitWebDriver (WebKit). Scenarios written against it
// run unchanged in each engine; what the page shows is read with `evaluate`, keys go through the engine's real input.
import type { KeyboardAction } from '../../support/keys.mjs';
import { type EngineName, selectedEngines, skippedLine } from '../../support/engines.mjs';

export type { EngineName };

export interface PageOptions {
  /** A phone's user agent, for the mobile flows (the stand-in iamport.js decides PC or mobile from it). */
  userAgent?: string;
}

export interface EnginePage {
  goto(url: string): Promise<void>;
  url(): Promise<string>;
  /** `fn` runs in the page's top document with `arg`; both JSON (no DOM nodes: each driver returns those its own way); a promise it returns is awaited. */
  evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  /** Real key presses, keys named as Playwright names them. */
  keyboard(action: KeyboardAction): Promise<void>;
  /** A real left click (pointer down and up) at viewport coordinates. */
  click(x: number, y: number): Promise<void>;
  close(): Promise<void>;
}

export interface EngineBrowser {
  engine: EngineName;
  /** The browser's own name and version, for the test output. */
  version: string;
  newPage(options?: PageOptions): Promise<EnginePage>;
  close(): Promise<void>;
}

/** Each engine found on this machine, or the loud reason it is not (as the browser suite says it). */
export function endToEndEngines(): Array<{ name: EngineName; launch?: () => Promise<EngineBrowser>; skipped?: string }> {
  return selectedEngines().map((engine) => {
    if (!engine.found.ok) return { name: engine.name, skipped: skippedLine(engine) };
    const found = engine.found;
    const launch = async (): Promise<EngineBrowser> => {
      if (engine.name === 'chromium') return (await import('./playwright-page.js')).launchChromium(found.executablePath!);
      if (engine.name === 'firefox') return (await import('./puppeteer-page.js')).launchFirefox(found.executablePath!);
      return (await import('./webdriver-page.js')).launchWebKit(found);
    };
    return { name: engine.name, launch };
  });
}

/** Poll `check` in the page until it returns something other than undefined or null; fails naming `what`. */
export async function waitInPage<A, R>(page: EnginePage, check: (arg: A) => R | undefined | null, arg: A, what: string, timeoutMs = 10_000): Promise<R> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await page.evaluate(check, arg);
      if (value !== undefined && value !== null) return value as R;
    } catch (error) {
      // A navigation under way destroys the context the check ran in: try again.
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Wait until the page's address matches `pattern`. */
export async function waitForUrl(page: EnginePage, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let url = '';
  for (;;) {
    url = await page.url().catch(() => url);
    if (pattern.test(url)) return url;
    if (Date.now() > deadline) throw new Error(`timed out waiting for a URL matching ${pattern} (at ${url})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
