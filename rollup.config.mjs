// The browser builds. `dist/portone-checkout.js`: the defining module with the element and Lit inside, minified
// (what the loader imports, and what a page may import directly), and beside it `dist/portone-checkout-v2.js`, the
// PortOne V2 part it imports (`import('./portone-checkout-v2.js')`, resolved against the bundle's own URL, wherever
// it is hosted) only when an element has `store-id`, and `dist/portone-checkout-hints.js`, the console hints' texts
// (hints.ts), imported the same way only when a hint is due. `dist/loader.js`: the tiny classic embed. `dist/esm/`: the
// npm build, one module per source file with `lit` external, for bundlers. Types come from tsc
// (tsconfig.build.json). The typescript plugin refuses to emit on type errors.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

const ts = (options = {}) =>
  typescript({ tsconfig: './tsconfig.json', include: ['src/**/*.ts'], noEmitOnError: true, noEmit: false, sourceMap: false, declaration: false, ...options });
// Lit's cross-package internals (`_$AH`, `_$litType$` …) are mangled too: in the self-contained bundle nothing
// outside it reads them (the loader has none, and this bundle renders only into its own shadow roots). So are the
// fields of lit-html's own objects (a template's `el` and `parts`, a part's `type`, `index`, `ctor`, `element`,
// `strings`, `options`, `startNode`, `endNode` and `setConnected`, a result's `strings`, the render options' `host`
// and `creationScope`): no DOM object is read or written under these names in the bundle or its chunks, and
// `builtins` lets terser rename names it would keep for the DOM's sake, only these. Never `name` or `values`
// (request_pay's `name`, `Object.values`). Measured: V1 page 9,183 → 9,141 B gzip, then 9,109 → 9,095.
const LIT_INTERNALS = /^(_\$|(el|parts|ctor|type|index|element|strings|options|startNode|endNode|setConnected|creationScope|host)$)/;
// And two keys of the bundle's own that nothing outside it reads: i18n.ts's `failures` and `retry` (texts, never a
// detail's; its state keys are states' names, and `pay` is also the element's method, so they stay).
const OWN_INTERNALS = /^(failures|retry)$/;
const minify = (module, mangleLit) =>
  terser({
    module,
    ecma: 2020,
    compress: { passes: 3, pure_getters: true },
    mangle: mangleLit ? { properties: { regex: new RegExp(`${LIT_INTERNALS.source}|${OWN_INTERNALS.source}`), builtins: true } } : true,
    format: { comments: false },
  });

export default [
  {
    input: 'src/portone-checkout.ts',
    // The V2 chunk keeps a fixed name (no hash): a page's CSP or a CDN path lists it beside the bundle.
    output: { dir: 'dist', format: 'es', entryFileNames: 'portone-checkout.js', chunkFileNames: 'portone-checkout-[name].js' },
    // lit-html's `node` build is its browser build plus one guard (no `document`, no template walker), so that
    // importing this bundle where there is no DOM (server-side rendering) does not throw.
    // Class fields as ES2022 defines them (`#state = 'idle'` in the class body, not `this.#state = 'idle'` in the
    // constructor): the same fields, set in the same order, at fewer bytes (V1 page 9,137 → 9,122 B gzip). `params`
    // is `declare`d, so that neither compiler setting gives the instance a `params` of its own that would hide one a
    // page set before the element was upgraded.
    plugins: [nodeResolve({ exportConditions: ['node'] }), ts({ useDefineForClassFields: true }), minify(true, true)],
  },
  {
    input: 'src/loader.ts',
    output: { file: 'dist/loader.js', format: 'iife' },
    plugins: [ts(), minify(false, false)],
  },
  {
    input: ['src/index.ts', 'src/portone-checkout-element.ts'],
    external: [/^lit(\/|$)/],
    output: { dir: 'dist/esm', format: 'es', preserveModules: true, preserveModulesRoot: 'src' },
    plugins: [ts()],
  },
];
