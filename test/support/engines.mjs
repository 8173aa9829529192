// The three browser engines the tests run in, and where each one's programs are on this machine. No launcher is
// loaded here: scripts/test.mjs reads this to plan its steps, test/support/browsers.mjs to launch what is found.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The first of `paths` that exists, or undefined. */
function firstExisting(paths) {
  return paths.find((path) => path && existsSync(path));
}

/** A program on `env.PATH`, by name. */
function onPath(name, env) {
  return firstExisting((env.PATH ?? '').split(':').filter(Boolean).map((dir) => join(dir, name)));
}

/**
 * A fixed path such as /usr/bin/chromium, under `root`: "/" on a real run; a scratch folder when the set-up step
 * (scripts/prerequisites.mjs) is tested without touching the machine.
 */
function under(root, path) {
  return root === '/' ? path : join(root, path);
}

/** WebKitGTK's MiniBrowser lives in the library's own folder, under the architecture's triplet (Debian: libwebkit2gtk-4.1-0). */
function miniBrowserCandidates(root) {
  const lib = under(root, '/usr/lib');
  const triplets = existsSync(lib) ? readdirSync(lib).filter((dir) => dir.includes('-linux-')) : [];
  return ['webkit2gtk-4.1', 'webkitgtk-6.0', 'webkit2gtk-4.0'].flatMap((api) => [
    ...triplets.map((triplet) => join(lib, triplet, api, 'MiniBrowser')),
    join(under(root, '/usr/libexec'), api, 'MiniBrowser'),
  ]);
}

/**
 * What is not found, as the set-up step needs it: the program, the Debian package that provides it, and the variable
 * that points at one a person already has. `missing` says the same in words.
 */
function notFound(lacking) {
  const missing = lacking.map(({ what, debianPackage, envVar }) => `${what} not found (apt-get install ${debianPackage}, or ${envVar}=…)`);
  return { ok: false, lacking, missing: missing.join('; ') };
}

/**
 * Each engine: its name in test output, how to find its programs, and what to tell a person who does not have it.
 * `locate()` answers `{ ok: true, ...paths }` or `{ ok: false, missing, lacking }`; it looks at `env` (the variables
 * below and PATH) and at fixed paths under `root`, both the real ones unless given.
 */
export const engines = [
  {
    name: 'chromium',
    label: 'Chromium',
    locate({ env = process.env, root = '/' } = {}) {
      const executablePath = firstExisting([env.CHROME_PATH, under(root, '/usr/bin/chromium'), onPath('chromium', env)]);
      return executablePath ? { ok: true, executablePath } : notFound([{ what: 'chromium', debianPackage: 'chromium', envVar: 'CHROME_PATH' }]);
    },
  },
  {
    name: 'firefox',
    label: 'Firefox',
    locate({ env = process.env, root = '/' } = {}) {
      const executablePath = firstExisting([env.FIREFOX_PATH, under(root, '/usr/bin/firefox-esr'), onPath('firefox-esr', env), onPath('firefox', env)]);
      return executablePath ? { ok: true, executablePath } : notFound([{ what: 'firefox-esr', debianPackage: 'firefox-esr', envVar: 'FIREFOX_PATH' }]);
    },
  },
  {
    name: 'webkit',
    label: 'WebKit',
    locate({ env = process.env, root = '/' } = {}) {
      const driverPath = firstExisting([env.WEBKIT_WEBDRIVER_PATH, onPath('WebKitWebDriver', env)]);
      const miniBrowserPath = firstExisting([env.MINIBROWSER_PATH, ...miniBrowserCandidates(root)]);
      // WebKitGTK draws into a real X display: the one this session has, or a private Xvfb (test/support/display.mjs).
      const xvfbPath = env.DISPLAY ? undefined : onPath('Xvfb', env);
      const lacking = [
        !driverPath && { what: 'WebKitWebDriver', debianPackage: 'webkit2gtk-driver', envVar: 'WEBKIT_WEBDRIVER_PATH' },
        !miniBrowserPath && { what: 'MiniBrowser', debianPackage: 'webkit2gtk-driver', envVar: 'MINIBROWSER_PATH' },
        !env.DISPLAY && !xvfbPath && { what: 'Xvfb (DISPLAY is unset)', debianPackage: 'xvfb', envVar: 'DISPLAY' },
      ].filter(Boolean);
      return lacking.length ? notFound(lacking) : { ok: true, driverPath, miniBrowserPath, xvfbPath };
    },
  },
];

/**
 * The engines asked for by TEST_BROWSERS (a comma-separated list of names; all three when unset), each with where
 * it is found or why it is not (`where`: the `env` and `root` given to `locate`). An unknown name throws: a typo must
 * not silently run nothing.
 */
export function selectedEngines(list = process.env.TEST_BROWSERS, where = {}) {
  const names = list ? list.split(',').map((name) => name.trim()).filter(Boolean) : engines.map((engine) => engine.name);
  return names.map((name) => {
    const engine = engines.find((candidate) => candidate.name === name);
    if (!engine) throw new Error(`TEST_BROWSERS: unknown engine "${name}" (known: ${engines.map((e) => e.name).join(', ')})`);
    return { ...engine, found: engine.locate(where) };
  });
}

/** The loud line for an engine that is not on this machine. */
export function skippedLine(engine) {
  return `SKIPPED: ${engine.found.missing} — the ${engine.label} tests did not run`;
}
