// The browser builds. `dist/portone-checkout.js`: the defining module with the element (V1 and V2), minified, one
// file (what the loader imports, and what a page may import directly). `dist/loader.js`: the tiny classic embed.
// `dist/esm/`: the npm build, one module per source file, for bundlers. The element imports no package (its shadow
// tree is drawn by src/view.ts), so there is nothing to resolve or keep external. Types come from tsc (tsconfig.build.json).
// The typescript plugin refuses to emit on type errors.
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

const ts = () =>
  typescript({ tsconfig: './tsconfig.json', include: ['src/**/*.ts'], noEmitOnError: true, noEmit: false, sourceMap: false, declaration: false });
const minify = (module) => terser({ module, ecma: 2020, compress: { passes: 3, pure_getters: true }, format: { comments: false } });

export default [
  {
    input: 'src/portone-checkout.ts',
    // One file, on purpose: a dynamic import() here fails the build (rollup needs output.dir for a second chunk).
    // A lazily imported V2 chunk was measured and dropped: it made a V2 page download ≈ 600 B more (src/v2.ts).
    output: { file: 'dist/portone-checkout.js', format: 'es' },
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
