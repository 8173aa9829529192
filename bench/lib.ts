/**
 * What the benchmarks share: their child processes, statistics, the run's identity, and the result files
 * (JSON for comparing commits, a Markdown table kept in bench/README.md between markers).
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ChildOptions } from './child.js';

export const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));

export interface Child {
  url: string;
  /** Send one message and wait for the child's next one (the bench asks one thing at a time). */
  ask<T>(message: unknown): Promise<T>;
  stop(): Promise<void>;
}

/** Fork bench/child.ts (with the parent's tsx loader) and wait for the URL it listens on. */
export function startChild(options: ChildOptions): Promise<Child> {
  const child = fork(fileURLToPath(new URL('./child.ts', import.meta.url)), [JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench child ${options.role} exited with ${code} before listening`)));
    child.once('message', (message) => {
      resolve({
        url: (message as { url: string }).url,
        ask: <T>(question: unknown) =>
          new Promise<T>((answer, fail) => {
            const onExit = () => fail(new Error(`bench child ${options.role} exited`));
            // Bounded like everything here: seeding a few thousand orders takes seconds, not minutes.
            const timer = setTimeout(() => fail(new Error(`bench child ${options.role} did not answer within 120 s`)), 120_000);
            child.once('exit', onExit);
            child.once('message', (reply) => {
              clearTimeout(timer);
              child.off('exit', onExit);
              answer(reply as T);
            });
            child.send(question as object);
          }),
        stop: async () => {
          if (child.connected) child.send('stop');
          // A child that does not stop within 5 s is killed: the bench must end by itself.
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(timer);
        },
      });
    });
  });
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function median(values: readonly number[]): number {
  return percentile(Float64Array.from(values).sort(), 50);
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Where and on what the run happened: results are only comparable on the same kind of machine. */
export function runInfo(): { commit: string | null; dirty: boolean | null; date: string; cores: number; cpu: string; node: string } {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: BENCH_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  };
  const status = git('status', '--porcelain');
  return {
    commit: git('rev-parse', '--short', 'HEAD'),
    dirty: status === null ? null : status !== '',
    date: new Date().toISOString(),
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
  };
}

export function writeResult(name: string, result: unknown): string {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}${name}.json`;
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * Replace the text between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` in bench/README.md, so the
 * README always shows the latest run of each benchmark (a missing section is appended).
 */
export function updateReadme(name: string, markdown: string): void {
  const file = `${BENCH_DIR}README.md`;
  const open = `<!-- bench:${name} -->`;
  const close = `<!-- /bench:${name} -->`;
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = '# Benchmarks\n';
  }
  const section = `${open}\n${markdown.trim()}\n${close}`;
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  text = start !== -1 && end > start ? text.slice(0, start) + section + text.slice(end + close.length) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, text);
}

export function pass(ok: boolean): string {
  return ok ? 'pass' : 'FAIL';
}
