// Firefox through puppeteer-core over WebDriver BiDi (Debian's firefox-esr); Puppeteer reads single key names only.
import puppeteer from 'puppeteer-core';
import { pageKeyboard } from '../../support/keys.mjs';
import type { EngineBrowser, EnginePage, PageOptions } from './engine-page.js';

export async function launchFirefox(executablePath: string): Promise<EngineBrowser> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath,
    headless: true,
    extraPrefsFirefox: { 'app.update.enabled': false, 'browser.shell.checkDefaultBrowser': false, 'datareporting.policy.dataSubmissionEnabled': false, 'intl.accept_languages': 'ko-KR, ko' },
  });
  return {
    engine: 'firefox',
    // 'firefox/153.8.0' as Puppeteer names it.
    version: (await browser.version()).replace(/^firefox\//i, 'Firefox '),
    async newPage(options: PageOptions = {}): Promise<EnginePage> {
      // A context of its own per page: storage (sessionStorage, the sandbox's device choice) starts empty.
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      if (options.userAgent) await page.setUserAgent({ userAgent: options.userAgent });
      return {
        goto: async (url) => void (await page.goto(url)),
        url: async () => page.url(),
        evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
        keyboard: async (action) => void (await pageKeyboard(page.keyboard, action, false)),
        click: (x, y) => page.mouse.click(x, y),
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}
