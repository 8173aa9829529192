// Real key presses for the browser tests in all three launchers, as test/browser/keyboard.ts asks for them:
// `{ press }`, `{ down }`, `{ up }` or `{ type }`, keys named as Playwright names them (test/support/keys.mjs). The
// stock `sendKeys` command cannot serve the other two engines: through Puppeteer (Firefox) it passes 'Shift+Tab' whole
// as one key name, which Puppeteer rejects, and through WebDriver (WebKit) it types 'Shift+Tab' letter by letter and
// refuses `down` and `up`, which the tests need to hold a key while the payment window answers.
import { pageKeyboard, webdriverActions } from './keys.mjs';

function checkPayload(payload) {
  const kinds = ['press', 'down', 'up', 'type'].filter((kind) => typeof payload?.[kind] === 'string');
  if (kinds.length !== 1 || Object.keys(payload).length !== 1) {
    throw new Error(`keyboard: give exactly one of press, down, up, type (a string), not ${JSON.stringify(payload)}`);
  }
}

export function keyboardPlugin() {
  return {
    name: 'keyboard',
    async executeCommand({ command, payload, session }) {
      if (command !== 'keyboard') return undefined;
      checkPayload(payload);
      const { browser } = session;
      if (browser.type === 'playwright') await pageKeyboard(browser.getPage(session.id).keyboard, payload, true);
      else if (browser.type === 'puppeteer') await pageKeyboard(browser.getPage(session.id).keyboard, payload, false);
      else if (browser.type === 'webdriver') {
        await browser.performActions(session.id, [{ type: 'key', id: 'keyboard', actions: webdriverActions(payload) }]);
      } else throw new Error(`keyboard: no key presses for the launcher type "${browser.type}"`);
      return true;
    },
  };
}
