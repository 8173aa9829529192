// The browser builds. `dist/portone-checkout.js`: the defining module with the element, minified
// (what the loader imports, and what a page may import directly), and beside it `dist/portone-checkout-v2.js`, the
// PortOne V2 part it imports (`import('./portone-checkout-v2.js')`, resolved against the bundle's own URL, wherever
// it is hosted) only when an element has `store-id`. `dist/loader.js`: the tiny classic embed. `dist/esm/`: the
// npm build, one module per source file, for bundlers. The element imports no package (its shadow tree is drawn by
// src/view.ts), so there is nothing to resolve or keep external. Types come from tsc
// (tsconfig.build.json). The typescript plugin refuses to emit on type errors.
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

const ts = () =>
  typescript({ tsconfig: './tsconfig.json', include: ['src/**/*.ts'], noEmitOnError: true, noEmit: false, sourceMap: false, declaration: false });
const minify = (module) => terser({ module, ecma: 2020, compress: { passes: 3, pure_getters: true }, format: { comments: false } });

export default [
  {
    input: 'src/portone-checkout.ts',
    // The V2 chunk keeps a fixed name (no hash): a page's CSP or a CDN path lists it beside the bundle.
    output: { dir: 'dist', format: 'es', entryFileNames: 'portone-checkout.js', chunkFileNames: 'portone-checkout-[name].js' },
    plugins: [ts(), minify(true)],
  },
  {
    input: 'src/loader.ts',
    output: { file: 'dist/loader.js', format: 'iife' },
    plugins: [ts(), minify(false)],
  },
  {
    input: ['src/index.ts', 'src/portone-checkout-element.ts'],
    output: { dir: 'dist/esm', format: 'es', preserveModules: true, preserveModulesRoot: 'src' },
    plugins: [ts()],
  },
];
