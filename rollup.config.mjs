// The browser builds. `dist/portone-checkout.js`: the element with Lit inside, minified (what the loader
// imports, and what a page may import directly). `dist/loader.js`: the tiny classic embed. `dist/esm/`: the
// npm build, one module per source file with `lit` external, for bundlers. Types come from tsc
// (tsconfig.build.json). The typescript plugin refuses to emit on type errors.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

const ts = () =>
  typescript({ tsconfig: './tsconfig.json', include: ['src/**/*.ts'], noEmitOnError: true, noEmit: false, sourceMap: false, declaration: false });
const minify = (module) => terser({ module, ecma: 2020, compress: { passes: 3 }, format: { comments: false } });

export default [
  {
    input: 'src/portone-checkout.ts',
    output: { file: 'dist/portone-checkout.js', format: 'es' },
    plugins: [nodeResolve({ browser: true }), ts(), minify(true)],
  },
  {
    input: 'src/loader.ts',
    output: { file: 'dist/loader.js', format: 'iife' },
    plugins: [ts(), minify(false)],
  },
  {
    input: ['src/index.ts', 'src/portone-checkout-element.ts'],
    external: [/^lit(\/|$)/],
    output: { dir: 'dist/esm', format: 'es', preserveModules: true, preserveModulesRoot: 'src' },
    plugins: [ts()],
  },
];
