// Chromium through Playwright (playwright-core and Debian's chromium), as the rest of the end-to-end suite drives it.
import { chromium } from 'playwright-core';
import { pageKeyboard } from '../../support/keys.mjs';
import type { EngineBrowser, EnginePage, PageOptions } from './engine-page.js';

export async function launchChromium(executablePath: string): Promise<EngineBrowser> {
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
  });
  return {
    engine: 'chromium',
    version: `Chromium ${browser.version()}`,
    async newPage(options: PageOptions = {}): Promise<EnginePage> {
      const context = await browser.newContext({ userAgent: options.userAgent, locale: 'ko-KR' });
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      return {
        goto: async (url) => void (await page.goto(url)),
        url: async () => page.url(),
        evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
        keyboard: async (action) => void (await pageKeyboard(page.keyboard, action, true)),
        click: (x, y) => page.mouse.click(x, y),
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}
