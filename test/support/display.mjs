// An X display for WebKitGTK, which cannot draw without one (it has no headless mode). A private Xvfb is started
// only for the process that needs it, so neither the developer nor CI wraps anything in xvfb-run, and a session's
// own DISPLAY (a desktop) is used when there is one.
import { spawn } from 'node:child_process';

/**
 * Resolves with `{ display, stop }`. `display` is ":N" (Xvfb picks a free N and writes it on the file descriptor
 * given with -displayfd, so two runs side by side never race for a number).
 */
export function startDisplay(xvfbPath, { timeoutMs = 15_000 } = {}) {
  if (process.env.DISPLAY) return Promise.resolve({ display: process.env.DISPLAY, stop: async () => {} });
  return new Promise((resolve, reject) => {
    // -noreset: by default Xvfb resets itself when its last client leaves, which is each time a WebDriver session's
    // MiniBrowser quits; the next session's MiniBrowser, started during that reset, then "cannot open display" and
    // WebKitWebDriver waits for it until the request times out (seen in CI: a lost test, 120 s).
    const xvfb = spawn(xvfbPath, ['-displayfd', '3', '-noreset', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let errors = '';
    let announced = '';
    const timer = setTimeout(() => fail(new Error(`Xvfb did not announce its display within ${timeoutMs} ms`)), timeoutMs);
    const stopOnExit = () => xvfb.kill();
    function fail(error) {
      clearTimeout(timer);
      xvfb.kill();
      reject(error);
    }
    xvfb.stderr.on('data', (chunk) => (errors += chunk));
    xvfb.on('error', fail);
    xvfb.on('exit', (code) => fail(new Error(`Xvfb exited (${code}) before it had a display: ${errors.trim()}`)));
    xvfb.stdio[3].on('data', (chunk) => {
      announced += chunk;
      if (!announced.includes('\n')) return;
      clearTimeout(timer);
      xvfb.removeAllListeners('exit');
      process.once('exit', stopOnExit);
      resolve({
        display: `:${announced.trim()}`,
        stop: () =>
          new Promise((done) => {
            process.removeListener('exit', stopOnExit);
            if (xvfb.exitCode !== null) return done();
            xvfb.once('exit', () => done());
            xvfb.kill();
          }),
      });
    });
  });
}
