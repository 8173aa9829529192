// Key presses named as Playwright names them ('Tab', 'Enter', 'Shift+Tab', 'Control+A'), done by each driver:
// Playwright reads such names itself, Puppeteer reads single key names only, WebDriver wants key actions with its
// own code points. Used by the browser suite's keyboard command and by the end-to-end engine pages.

/** WebDriver's code points for named keys (WebDriver §17.4.2); any other key is its own character. */
const webdriverKeys = {
  Backspace: '\uE003',
  Tab: '\uE004',
  Enter: '\uE007',
  Shift: '\uE008',
  Control: '\uE009',
  Alt: '\uE00A',
  Escape: '\uE00C',
  ' ': '\uE00D',
  Space: '\uE00D',
  PageUp: '\uE00E',
  PageDown: '\uE00F',
  End: '\uE010',
  Home: '\uE011',
  ArrowLeft: '\uE012',
  ArrowUp: '\uE013',
  ArrowRight: '\uE014',
  ArrowDown: '\uE015',
  Delete: '\uE017',
  Meta: '\uE03D',
};

/** 'Shift+Tab' → ['Shift', 'Tab']; a lone '+' is the key itself. */
export function chord(keys) {
  if (keys === '+') return ['+'];
  const parts = keys.split('+');
  if (parts.some((part) => part === '')) throw new Error(`keyboard: cannot read the keys "${keys}"`);
  return parts;
}

function webdriverKey(name) {
  const key = webdriverKeys[name] ?? (name.length === 1 ? name : undefined);
  if (!key) throw new Error(`keyboard: no WebDriver code for the key "${name}"`);
  return key;
}

/** What one payload does, as WebDriver key actions (one input source, performed in order). */
export function webdriverActions(payload) {
  if ('type' in payload) return [...payload.type].flatMap((char) => [{ type: 'keyDown', value: webdriverKey(char) }, { type: 'keyUp', value: webdriverKey(char) }]);
  if ('down' in payload) return chord(payload.down).map((name) => ({ type: 'keyDown', value: webdriverKey(name) }));
  if ('up' in payload) return chord(payload.up).reverse().map((name) => ({ type: 'keyUp', value: webdriverKey(name) }));
  const keys = chord(payload.press).map(webdriverKey);
  return [...keys.map((value) => ({ type: 'keyDown', value })), ...keys.reverse().map((value) => ({ type: 'keyUp', value }))];
}

/** Playwright and Puppeteer share the keyboard's shape (down, up, press, type); Puppeteer does not read chords. */
export async function pageKeyboard(keyboard, payload, readsChords) {
  if ('type' in payload) return keyboard.type(payload.type);
  if (readsChords) {
    if ('down' in payload) return keyboard.down(payload.down);
    if ('up' in payload) return keyboard.up(payload.up);
    return keyboard.press(payload.press);
  }
  if ('down' in payload) {
    for (const key of chord(payload.down)) await keyboard.down(key);
    return;
  }
  if ('up' in payload) {
    for (const key of chord(payload.up).reverse()) await keyboard.up(key);
    return;
  }
  const keys = chord(payload.press);
  for (const key of keys) await keyboard.down(key);
  for (const key of keys.reverse()) await keyboard.up(key);
}
