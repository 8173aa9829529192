// The self-contained bundle's entry (dist/portone-checkout.js, what the loader imports): the same module
// as the npm entry, with Lit bundled in by rollup.
export * from './index.js';
