// WebKitWebDriver, the WebDriver server of WebKitGTK, on a free loopback port, with MiniBrowser as its browser.
// webdriverio starts the drivers it knows (chromedriver, geckodriver…) itself; this one it does not, so it is
// started here and webdriverio is pointed at it.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilReady(url, driver, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (driver.exitCode !== null) throw new Error(`WebKitWebDriver exited (${driver.exitCode}) before it answered`);
    try {
      const response = await fetch(`${url}/status`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`WebKitWebDriver did not answer on ${url} within ${timeoutMs} ms`);
}

/** Resolves with `{ port, stop }` once the driver answers /status. `display` is the X display MiniBrowser draws on. */
export async function startWebKitWebDriver(driverPath, display, { timeoutMs = 15_000 } = {}) {
  const port = await freePort();
  const driver = spawn(driverPath, [`--port=${port}`, '--host=local'], {
    env: { ...process.env, DISPLAY: display },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stopOnExit = () => driver.kill();
  process.once('exit', stopOnExit);
  const stop = () =>
    new Promise((done) => {
      process.removeListener('exit', stopOnExit);
      if (driver.exitCode !== null || driver.signalCode !== null) return done();
      driver.once('exit', () => done());
      driver.kill();
    });
  try {
    await waitUntilReady(`http://127.0.0.1:${port}`, driver, timeoutMs);
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, stop };
}
