// The package as npm publishes it: `npm pack` of the built project (npm test builds first), its file list, and
// that tarball installed in a fresh folder outside the repository, without network: the tarball is unpacked into
// node_modules/portone-checkout and the packages an app would install beside it are linked from this project's
// node_modules (their own dependencies then resolve from there). In that folder: the README's React component
// rendered by react-dom/server, the server and sandbox entries run on SQLite, and a SQLite-only TypeScript app
// compiled against the tarball's declarations (no pg, @types/pg nor @types/better-sqlite3 to be found there).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/tarball/', import.meta.url));
const NAME = 'portone-checkout';

/** What a SQLite server app installs beside the package (README, "The library"), and React for SSR; no pg. */
const SQLITE_APP_PEERS = ['koa', '@koa/router', '@koa/bodyparser', '@koa/cors', 'zod', 'rate-limiter-flexible', 'better-sqlite3'];
const REACT = ['react', 'react-dom'];
/** A TypeScript server app's types: Node's and Koa's (the other peers ship their own), not pg's nor better-sqlite3's. */
const TYPES = ['@types/node', '@types/koa'];

interface PackedFile {
  path: string;
  size: number;
}
interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  files: PackedFile[];
}

let work: string;
let packed: Packed;
let app: string;
let installed: Record<string, any>;

async function node(script: string, cwd: string): Promise<any> {
  try {
    const { stdout } = await run(process.execPath, [script], { cwd, timeout: 60_000, maxBuffer: 16 << 20 });
    return JSON.parse(stdout);
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    assert.fail(`node ${script} in the installed app failed:\n${stderr || stdout || (error as Error).message}`);
  }
}

function link(name: string): void {
  const target = join(ROOT, 'node_modules', name);
  assert.ok(existsSync(target), `${name} is not installed in this project (npm ci)`);
  const path = join(app, 'node_modules', name);
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path, 'junction');
}

before(async () => {
  assert.ok(existsSync(join(ROOT, 'dist/server/index.js')), 'dist/ is not built: run `npm run build` first (npm test builds)');
  work = mkdtempSync(join(tmpdir(), 'portone-checkout-tarball-'));
  // --ignore-scripts: pack the build as it is (prepack would rebuild it under the other suites' feet).
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT, timeout: 120_000, maxBuffer: 16 << 20 });
  [packed] = JSON.parse(stdout) as Packed[];

  app = join(work, 'app');
  const dir = join(app, 'node_modules', NAME);
  mkdirSync(dir, { recursive: true });
  await run('tar', ['-xzf', join(work, packed.filename), '-C', dir, '--strip-components=1'], { timeout: 60_000 });
  installed = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'shop', private: true, type: 'module' }, null, 2));
  for (const name of Object.keys(installed.dependencies ?? {})) link(name);
  for (const name of [...SQLITE_APP_PEERS, ...REACT, ...TYPES]) link(name);
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  test('npm pack ships what a user needs and nothing else', () => {
    const files = packed.files.map((f) => f.path).sort();
    for (const needed of [
      'package.json',
      'README.md',
      'docs/demo.png', // the README's image, on the registry page
      'custom-elements.json',
      'dist/loader.js',
      'dist/portone-checkout.js',
      'dist/portone-checkout-v2.js', // the V2 part, imported by the bundle beside it for an element with store-id
      'dist/portone-checkout-hints.js', // the console hints' texts, imported by the bundle beside it when a hint is due
      'dist/esm/index.js',
      'dist/esm/v2.js',
      'dist/esm/hints.js',
      'dist/esm/portone-checkout-element.js',
      'dist/index.d.ts',
      'dist/jsx.d.ts',
      'dist/server/index.js',
      'dist/server/index.d.ts',
      'dist/sandbox/index.js',
      'dist/sandbox/index.d.ts',
      'dist/sandbox/v1/sdk/iamport.js',
      'dist/sandbox/v2/sdk/browser-sdk.js',
      'dist/sandbox/window/window.js',
    ]) {
      assert.ok(files.includes(needed), `${needed} is missing from the tarball`);
    }
    const stray = files.filter(
      (f) => !(['package.json', 'README.md', 'docs/demo.png', 'custom-elements.json', 'types/jsx.d.ts'].includes(f) || f.startsWith('dist/')),
    );
    assert.deepEqual(stray, [], 'only dist/, the manifest, the README and its image, the JSX types and package.json');
    // Inside dist: built JS and declarations (and the sandbox's browser scripts), no source maps pointing at
    // sources that are not shipped, no tests, no data.
    const odd = files.filter((f) => f.startsWith('dist/') && !/\.(js|d\.ts)$/.test(f));
    assert.deepEqual(odd, [], 'only .js and .d.ts under dist/');
    assert.deepEqual(files.filter((f) => /(^|\/)(test|tests|node_modules|data|\.scratch|demo|src)\//.test(f) || /\.(db|sqlite|log)$/.test(f)), []);
    // Every file an `exports` entry names is in the tarball.
    const targets = (value: unknown): string[] => (typeof value === 'string' ? [value] : Object.values(value as object).flatMap(targets));
    for (const target of targets(installed.exports)) {
      assert.ok(files.includes(target.replace(/^\.\//, '')), `exports names ${target}, not in the tarball`);
    }
    assert.ok(packed.size < 1_000_000, `a tarball of ${packed.size} bytes: something big slipped in`);
  });

  test('package.json: its home, and explicit entries only (no catch-all into dist/)', () => {
    assert.match(installed.repository?.url ?? '', /^git\+https:\/\/github\.com\/.+\.git$/);
    assert.match(installed.homepage ?? '', /^https:\/\//);
    assert.match(installed.bugs?.url ?? '', /^https:\/\//);
    assert.deepEqual(Object.keys(installed.exports).filter((k) => k.includes('*')), []);
    for (const peer of SQLITE_APP_PEERS) assert.ok(installed.peerDependencies?.[peer], `${peer} is a peer dependency`);
  });

  test('installed: the server and sandbox entries run on SQLite; internals are not importable', async () => {
    copyFileSync(join(FIXTURES, 'entries.mjs'), join(app, 'entries.mjs'));
    const result = await node('entries.mjs', app);
    const home = pathToFileURL(join(realpathSync(app), 'node_modules', NAME) + '/').href;
    for (const [name, url] of Object.entries(result.resolved as Record<string, string>)) {
      assert.ok(url.startsWith(home), `${name} resolves to ${url}, not into the installed package`);
    }
    assert.match(result.resolved['portone-checkout/server'], /\/dist\/server\/index\.js$/);
    assert.match(result.resolved['portone-checkout/sandbox'], /\/dist\/sandbox\/index\.js$/);
    assert.match(result.resolved['portone-checkout/loader.js'], /\/dist\/loader\.js$/);
    assert.match(result.resolved['portone-checkout/portone-checkout.js'], /\/dist\/portone-checkout\.js$/);
    for (const [name, code] of Object.entries(result.refused as Record<string, string | null>)) {
      assert.equal(code, 'ERR_PACKAGE_PATH_NOT_EXPORTED', `${name} must not be importable`);
    }
    assert.deepEqual(result.sdk, { status: 200, requestPay: true });
    assert.equal(result.prepare.status, 201, JSON.stringify(result.prepare.body));
    assert.equal(result.prepare.body.amount, 28000);
  });

  test("installed: react-dom/server renders the README's React component", async () => {
    copyFileSync(join(FIXTURES, 'render.mjs'), join(app, 'render.mjs'));
    const { html } = (await node('render.mjs', app)) as { html: string };
    assert.match(html, /^<portone-checkout [^>]*><\/portone-checkout>$/);
    assert.match(html, / merchant="imp12345678"/);
    assert.match(html, / amount="28000"/);
    assert.match(html, / prepare-url="\/payments\/prepare"/);
    assert.match(html, / items="\[{&quot;id&quot;:&quot;chair-01&quot;,&quot;quantity&quot;:2}\]"/);
  });

  test('installed: a SQLite-only TypeScript app compiles against the published server declarations', async () => {
    // test/types/server-sqlite/server.ts (the README's server snippets), here with pg, @types/pg and
    // @types/better-sqlite3 really absent, every declaration file checked.
    copyFileSync(join(ROOT, 'test/types/server-sqlite/server.ts'), join(app, 'server.ts'));
    const tsconfig = {
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022'], types: ['node'], strict: true, noEmit: true, skipLibCheck: false },
      files: ['server.ts'],
    };
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    assert.ok(!existsSync(join(app, 'node_modules/pg')) && !existsSync(join(app, 'node_modules/@types/pg')) && !existsSync(join(app, 'node_modules/@types/better-sqlite3')));
    try {
      await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: app, timeout: 120_000, maxBuffer: 16 << 20 });
    } catch (error) {
      assert.fail(`tsc in the installed app:\n${(error as { stdout?: string }).stdout || (error as Error).message}`);
    }
  });
});
