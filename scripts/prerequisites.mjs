// npm test's set-up step: before any suite, find what the selected suites need from the machine (a browser per
// engine, Xvfb for WebKit, a PostgreSQL server for the store suites) and, for what is missing, either install Debian's
// package or stop with one line naming the exact command to run, never a launcher's stack trace halfway through.
//
// It installs only when nothing has to be asked: as root, with apt-get on the PATH. Anyone else gets the command to
// run (with sudo) and is never prompted for a password, whether or not stdin is a terminal, so a terminal and CI see
// the same thing. Programs are found the way the suites find them (test/support/engines.mjs): the *_PATH variables,
// then fixed paths, then PATH.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { engines, selectedEngines } from '../test/support/engines.mjs';

const ENGINES_WHY = 'the browser and end-to-end suites run in each engine';
const POSTGRES_WHY = 'the store suites run against a throwaway PostgreSQL cluster';

/** A program on `env.PATH`, by name, or undefined. */
function onPath(name, env) {
  return (env.PATH ?? '').split(':').filter(Boolean).map((dir) => join(dir, name)).find((path) => existsSync(path));
}

/**
 * A PostgreSQL server to start a throwaway cluster with (Debian's layout, the one scripts/pg-cluster.sh uses:
 * /usr/lib/postgresql/<version>/bin/initdb), or a database already named by TEST_DATABASE_URL, which needs none.
 */
export function locatePostgres({ env = process.env, root = '/' } = {}) {
  if (env.TEST_DATABASE_URL) return { ok: true, url: env.TEST_DATABASE_URL };
  const lib = join(root, 'usr/lib/postgresql');
  const versions = existsSync(lib) ? readdirSync(lib).filter((version) => existsSync(join(lib, version, 'bin', 'initdb'))) : [];
  if (versions.length) return { ok: true, versions };
  const lacking = [{ what: 'PostgreSQL server (initdb)', debianPackage: 'postgresql', envVar: 'TEST_DATABASE_URL' }];
  return { ok: false, lacking, missing: 'PostgreSQL server (initdb) not found (apt-get install postgresql, or TEST_DATABASE_URL=…)' };
}

/**
 * What the suites picked by `only` (scripts/test.mjs's selection: suite or group names, all when empty) need, each
 * `{ name, why, found }`. The browser suites need the engines TEST_BROWSERS selects; the end-to-end suite those and
 * Chromium, which its demo scenarios always drive (test/e2e/support.ts); the server suite PostgreSQL.
 */
export function requirementsFor(only, { env = process.env, root = '/' } = {}) {
  const wants = (name, group) => only.length === 0 || only.includes(name) || (group !== undefined && only.includes(group));
  const selected = selectedEngines(env.TEST_BROWSERS, { env, root });
  const needed = new Set(selected.filter((engine) => wants(`browser:${engine.name}`, 'browser')).map((engine) => engine.name));
  if (wants('e2e')) for (const name of [...selected.map((engine) => engine.name), 'chromium']) needed.add(name);
  const requirements = engines
    .filter((engine) => needed.has(engine.name))
    .map((engine) => ({ name: engine.label, why: ENGINES_WHY, found: engine.locate({ env, root }) }));
  if (wants('server')) requirements.push({ name: 'PostgreSQL', why: POSTGRES_WHY, found: locatePostgres({ env, root }) });
  return requirements;
}

const unique = (items) => [...new Set(items)];

/** The one line for a person who has to install `packages` themselves. */
function instructionLine(packages, envVars, { uid, aptGet }) {
  const command = `${uid === 0 ? '' : 'sudo '}apt-get install -y ${packages.join(' ')}`;
  const alternative = `set ${envVars.join(' / ')} to what you already have`;
  return aptGet
    ? `npm test needs ${packages.join(', ')}: run  ${command}  (or ${alternative})`
    : `npm test needs ${packages.join(', ')}: on Debian/Ubuntu run  ${command} ; elsewhere install them (README, "Quick start") or ${alternative}`;
}

/** A short account of what was found, for the one line printed when nothing is missing. */
function foundLine(requirements) {
  const names = requirements.map(({ name, found }) => (name === 'PostgreSQL' && found.url ? 'PostgreSQL at TEST_DATABASE_URL' : name));
  return `npm test: found ${names.join(', ')}`;
}

function runAptGet(aptGet, args, env) {
  const result = spawnSync(aptGet, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...env, DEBIAN_FRONTEND: 'noninteractive' } });
  return result.status ?? 1;
}

/**
 * Checks, and installs what is missing when it can without asking. Answers `{ ok, installed }`; everything it says
 * goes to `log`, one line per outcome. `env` (PATH, TEST_BROWSERS, the *_PATH variables, TEST_DATABASE_URL), `root`
 * (where fixed paths such as /usr/bin/chromium are looked for) and `uid` are the machine's own unless given: the
 * tests give a scratch PATH holding a fake apt-get, and a scratch root it "installs" into.
 */
export function ensurePrerequisites({ only = [], env = process.env, root = '/', uid = process.getuid?.(), log = console.log } = {}) {
  let requirements;
  try {
    requirements = requirementsFor(only, { env, root });
  } catch (error) {
    // An unknown TEST_BROWSERS name: said in one line, not as a stack trace.
    log(`npm test: ${error.message}`);
    return { ok: false, installed: [] };
  }
  if (requirements.length === 0) return { ok: true, installed: [] };
  const missing = requirements.filter((requirement) => !requirement.found.ok);
  if (missing.length === 0) {
    log(foundLine(requirements));
    return { ok: true, installed: [] };
  }

  const lacking = missing.flatMap((requirement) => requirement.found.lacking);
  // A variable pointing nowhere is a mistake to report, not a reason to install something the person did not ask for.
  const misdirected = lacking.filter(({ envVar }) => env[envVar]);
  if (misdirected.length) {
    log(`npm test: ${misdirected.map(({ what, envVar }) => `${envVar}=${env[envVar]} names no file (it should point at ${what})`).join('; ')}`);
    return { ok: false, installed: [] };
  }

  const packages = unique(lacking.map(({ debianPackage }) => debianPackage));
  const envVars = unique(lacking.map(({ envVar }) => envVar));
  const aptGet = onPath('apt-get', env);
  if (uid !== 0 || !aptGet) {
    log(instructionLine(packages, envVars, { uid, aptGet }));
    return { ok: false, installed: [] };
  }

  log(`npm test: installing Debian's ${packages.join(' ')} (${unique(missing.map(({ why }) => why)).join('; ')}) …`);
  const updated = runAptGet(aptGet, ['update', '-qq'], env);
  const code = updated === 0 ? runAptGet(aptGet, ['install', '-y', '-qq', ...packages], env) : updated;
  if (code !== 0) {
    log(`npm test: apt-get ${updated === 0 ? 'install' : 'update'} exited with ${code} (its messages are above); run  apt-get install -y ${packages.join(' ')}  yourself to see why`);
    return { ok: false, installed: [] };
  }
  const after = requirementsFor(only, { env, root });
  const still = after.filter((requirement) => !requirement.found.ok);
  if (still.length) {
    log(`npm test: installed ${packages.join(' ')}, yet ${still.map(({ found }) => found.missing).join('; ')}`);
    return { ok: false, installed: packages };
  }
  log(foundLine(after));
  return { ok: true, installed: packages };
}
