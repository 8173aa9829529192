// WebKit (WebKitGTK's MiniBrowser) through webdriverio and WebKitWebDriver, drawing on a private Xvfb unless the
// session has a display. WebKitWebDriver drives one browser per session, so each page is a session of its own (its
// storage starts empty, as a fresh context does elsewhere), and a phone's user agent is given to MiniBrowser at launch.
import { spawnSync } from 'node:child_process';
import { remote } from 'webdriverio';
import { startDisplay } from '../../support/display.mjs';
import { webdriverActions } from '../../support/keys.mjs';
import { startWebKitWebDriver } from '../../support/webkit-driver.mjs';
import type { EngineBrowser, EnginePage, PageOptions } from './engine-page.js';

export async function launchWebKit(found: { driverPath?: string; miniBrowserPath?: string; xvfbPath?: string }): Promise<EngineBrowser> {
  const display = await startDisplay(found.xvfbPath);
  const driver = await startWebKitWebDriver(found.driverPath!, display.display).catch(async (error: unknown) => {
    await display.stop();
    throw error;
  });
  const open = new Set<() => Promise<void>>();
  const printed = spawnSync(found.miniBrowserPath!, ['--version'], { env: { ...process.env, DISPLAY: display.display }, encoding: 'utf8' });
  return {
    engine: 'webkit',
    version: `${printed.stdout.trim() || 'WebKitGTK (version unknown)'} (MiniBrowser)`,
    async newPage(options: PageOptions = {}): Promise<EnginePage> {
      const args = ['--automation', ...(options.userAgent ? [`--user-agent=${options.userAgent}`] : [])];
      const session = await remote({
        hostname: '127.0.0.1',
        port: driver.port,
        path: '/',
        logLevel: 'error',
        capabilities: { 'webkitgtk:browserOptions': { binary: found.miniBrowserPath!, args } } as WebdriverIO.Capabilities,
      });
      const close = async () => {
        open.delete(close);
        await session.deleteSession().catch(() => {});
      };
      open.add(close);
      return {
        goto: async (url) => void (await session.url(url)),
        url: () => session.getUrl(),
        evaluate: (fn, arg) => session.execute(fn as never, arg) as never,
        keyboard: (action) => session.performActions([{ type: 'key', id: 'keyboard', actions: webdriverActions(action) }]),
        click: (x, y) =>
          session.performActions([
            {
              type: 'pointer',
              id: 'mouse',
              parameters: { pointerType: 'mouse' },
              actions: [
                { type: 'pointerMove', duration: 0, origin: 'viewport', x: Math.round(x), y: Math.round(y) },
                { type: 'pointerDown', button: 0 },
                { type: 'pointerUp', button: 0 },
              ],
            },
          ]),
        close,
      };
    },
    async close() {
      for (const close of [...open]) await close();
      await driver.stop();
      await display.stop();
    },
  };
}
