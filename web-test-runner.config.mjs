// Browser tests: Chromium, Firefox and WebKit (test/support/browsers.mjs says how each is driven and which are on
// this machine; TEST_BROWSERS=firefox,webkit picks some), against a real PortOne sandbox started in this process on
// loopback. Pages learn its URLs from `window.SANDBOX_URL` (V1) and `window.SANDBOX_V2_URL` (V2). The merchant's side is on the page's own origin: the
// reference verifier over that sandbox under /__verifier/ (test/support/verifier.ts, same-origin.ts), and the faults
// it cannot produce under /__test/ (test/support/endpoints.ts).
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter, summaryReporter } from '@web/test-runner';
import { tsImport } from 'tsx/esm/api';
import { browserPlugins, browsers } from './test/support/browsers.mjs';
import { countReporter } from './test/support/count-reporter.mjs';

const load = (path) => tsImport(path, import.meta.url);
const { startSandbox } = await load('./sandbox/index.ts');
const { startPageVerifier } = await load('./test/support/verifier.ts');
const { sameOriginVerifier } = await load('./test/support/same-origin.ts');
const { ReceivedLog } = await load('./test/support/received.ts');
const { testEndpoints } = await load('./test/support/endpoints.ts');
const sandbox = await startSandbox({ quiet: true });
const verifier = await startPageVerifier(sandbox);
const received = new ReceivedLog();

export default {
  files: ['test/browser/**/*.test.ts'],
  nodeResolve: { exportConditions: ['development'] },
  // The merchant's side of the page's origin: the real verifier, the fault endpoints, what they received.
  middleware: [received.endpoint(), sameOriginVerifier(verifier.url, received), testEndpoints(received)],
  // One file at a time: they share one sandbox and the machine has two cores.
  concurrency: 1,
  testsFinishTimeout: 180_000,
  testFramework: { config: { timeout: 15_000 } },
  // The engines one after another, for the same reasons.
  concurrentBrowsers: 1,
  browsers,
  plugins: [
    esbuildPlugin({ ts: true, tsconfig: './tsconfig.json', target: 'es2022' }),
    { name: 'merchant-and-portone', serverStop: async () => (await verifier.close(), await sandbox.close()) },
    ...browserPlugins,
  ],
  testRunnerHtml: (testFramework) => `<!doctype html>
    <html><head><script>window.SANDBOX_URL = ${JSON.stringify(sandbox.url)}; window.SANDBOX_V2_URL = ${JSON.stringify(sandbox.v2.url)};</script></head>
    <body><script type="module" src="${testFramework}"></script></body></html>`,
  filterBrowserLogs: ({ args }) => !String(args[0] ?? '').includes('Lit is in dev mode'),
  reporters: [defaultReporter(), summaryReporter({ flatten: false }), countReporter(process.env.TEST_COUNTS_FILE)],
};
