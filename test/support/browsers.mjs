// The browsers web-test-runner.config.mjs runs the suite in: Chromium through Playwright, Firefox through Puppeteer
// (WebDriver BiDi), WebKit (WebKitGTK's MiniBrowser) through WebDriver. Each engine is the distribution's own build:
// no tool here can download a browser, and Playwright's Firefox and WebKit are patched builds of its own, so
// Playwright drives only Chromium. An engine that is not on this machine is named loudly and left out.
import { chromeLauncher } from '@web/test-runner-chrome';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { WebdriverLauncher } from '@web/test-runner-webdriver';
import puppeteer from 'puppeteer-core';
import { selectedEngines, skippedLine } from './engines.mjs';
import { startDisplay } from './display.mjs';
import { keyboardPlugin } from './keyboard-plugin.mjs';
import { startWebKitWebDriver } from './webkit-driver.mjs';

function chromium({ executablePath }) {
  return playwrightLauncher({
    product: 'chromium',
    launchOptions: {
      executablePath,
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
    },
  });
}

/**
 * Puppeteer's own launcher package (@web/test-runner-puppeteer) depends on the full `puppeteer`, whose install step
 * downloads a Chrome; the Chrome launcher it wraps takes puppeteer-core, which launches the Firefox installed here.
 */
function firefox({ executablePath }) {
  return chromeLauncher({
    puppeteer,
    launchOptions: {
      browser: 'firefox',
      executablePath,
      headless: true,
      // No update checks, telemetry or first-run pages reaching for a network these machines do not have.
      extraPrefsFirefox: {
        'app.update.enabled': false,
        'browser.shell.checkDefaultBrowser': false,
        'datareporting.policy.dataSubmissionEnabled': false,
        'toolkit.telemetry.reportingpolicy.firstRun': false,
      },
    },
  });
}

/** WebdriverLauncher, with its display and its WebKitWebDriver started when the run starts and stopped after it. */
class WebKitLauncher extends WebdriverLauncher {
  constructor({ driverPath, miniBrowserPath, xvfbPath }) {
    super({
      hostname: '127.0.0.1',
      path: '/',
      capabilities: { 'webkitgtk:browserOptions': { binary: miniBrowserPath, args: ['--automation'] } },
    });
    this.paths = { driverPath, xvfbPath };
  }

  async initialize(config, testFiles) {
    this.display = await startDisplay(this.paths.xvfbPath);
    this.webkitDriver = await startWebKitWebDriver(this.paths.driverPath, this.display.display);
    this.options.port = this.webkitDriver.port;
    await super.initialize(config, testFiles);
    this.name = 'WebKit';
  }

  /** Key and pointer actions for test/support/keyboard-plugin.mjs (the base class keeps its session manager to itself). */
  performActions(sessionId, actions) {
    if (!this.driverManager) throw new Error('WebKit: no session yet');
    return this.driverManager.performActions(sessionId, actions);
  }

  async stop() {
    await super.stop();
    await this.webkitDriver?.stop();
    await this.display?.stop();
  }
}

const launchers = { chromium, firefox, webkit: (found) => new WebKitLauncher(found) };

const selected = selectedEngines();
for (const engine of selected.filter((e) => !e.found.ok)) console.error(`\n${skippedLine(engine)}\n`);

/** The launchers of the engines selected (TEST_BROWSERS) and found on this machine. */
export const browsers = selected.filter((engine) => engine.found.ok).map((engine) => launchers[engine.name](engine.found));

/** Plugins the launchers above need in the test runner: real key presses in every engine. */
export const browserPlugins = [keyboardPlugin()];
