// The three browser engines the tests run in, and where each one's programs are on this machine. No launcher is
// loaded here: scripts/test.mjs reads this to plan its steps, test/support/browsers.mjs to launch what is found.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The first of `paths` that exists, or undefined. */
function firstExisting(paths) {
  return paths.find((path) => path && existsSync(path));
}

/** A program on the PATH, by name. */
function onPath(name) {
  return firstExisting((process.env.PATH ?? '').split(':').filter(Boolean).map((dir) => join(dir, name)));
}

/** WebKitGTK's MiniBrowser lives in the library's own folder, under the architecture's triplet (Debian: libwebkit2gtk-4.1-0). */
function miniBrowserCandidates() {
  const lib = '/usr/lib';
  const triplets = existsSync(lib) ? readdirSync(lib).filter((dir) => dir.includes('-linux-')) : [];
  return ['webkit2gtk-4.1', 'webkitgtk-6.0', 'webkit2gtk-4.0'].flatMap((api) => [
    ...triplets.map((triplet) => join(lib, triplet, api, 'MiniBrowser')),
    join('/usr/libexec', api, 'MiniBrowser'),
  ]);
}

/**
 * Each engine: its name in test output, how to find its programs, and what to tell a person who does not have it.
 * `locate()` answers `{ ok: true, ...paths }` or `{ ok: false, missing }`.
 */
export const engines = [
  {
    name: 'chromium',
    label: 'Chromium',
    locate() {
      const executablePath = firstExisting([process.env.CHROME_PATH, '/usr/bin/chromium', onPath('chromium')]);
      return executablePath ? { ok: true, executablePath } : { ok: false, missing: 'chromium not found (apt-get install chromium, or CHROME_PATH=…)' };
    },
  },
  {
    name: 'firefox',
    label: 'Firefox',
    locate() {
      const executablePath = firstExisting([process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', onPath('firefox-esr'), onPath('firefox')]);
      return executablePath ? { ok: true, executablePath } : { ok: false, missing: 'firefox-esr not found (apt-get install firefox-esr, or FIREFOX_PATH=…)' };
    },
  },
  {
    name: 'webkit',
    label: 'WebKit',
    locate() {
      const driverPath = firstExisting([process.env.WEBKIT_WEBDRIVER_PATH, onPath('WebKitWebDriver')]);
      const miniBrowserPath = firstExisting([process.env.MINIBROWSER_PATH, ...miniBrowserCandidates()]);
      // WebKitGTK draws into a real X display: the one this session has, or a private Xvfb (test/support/display.mjs).
      const xvfbPath = process.env.DISPLAY ? undefined : onPath('Xvfb');
      const missing = [
        !driverPath && 'WebKitWebDriver not found (apt-get install webkit2gtk-driver, or WEBKIT_WEBDRIVER_PATH=…)',
        !miniBrowserPath && 'MiniBrowser not found (apt-get install webkit2gtk-driver, or MINIBROWSER_PATH=…)',
        !process.env.DISPLAY && !xvfbPath && 'no display: DISPLAY is unset and Xvfb is not installed (apt-get install xvfb)',
      ].filter(Boolean);
      return missing.length ? { ok: false, missing: missing.join('; ') } : { ok: true, driverPath, miniBrowserPath, xvfbPath };
    },
  },
];

/**
 * The engines asked for by TEST_BROWSERS (a comma-separated list of names; all three when unset), each with where
 * it is found or why it is not. An unknown name throws: a typo must not silently run nothing.
 */
export function selectedEngines(list = process.env.TEST_BROWSERS) {
  const names = list ? list.split(',').map((name) => name.trim()).filter(Boolean) : engines.map((engine) => engine.name);
  return names.map((name) => {
    const engine = engines.find((candidate) => candidate.name === name);
    if (!engine) throw new Error(`TEST_BROWSERS: unknown engine "${name}" (known: ${engines.map((e) => e.name).join(', ')})`);
    return { ...engine, found: engine.locate() };
  });
}

/** The loud line for an engine that is not on this machine. */
export function skippedLine(engine) {
  return `SKIPPED: ${engine.found.missing} — the ${engine.label} tests did not run`;
}
