/**
 * The house rules, and only them (formatting and style are not linted):
 * - src/ (the element, browser only) never imports server/ or sandbox/;
 * - sandbox/ (the offline PortOne, a stranger to the verifier) never imports server/;
 * - only server/store/ loads the database drivers (better-sqlite3, pg);
 * - in server/, only config.ts reads process.env (everything else is given its configuration);
 * - lib/ (what server/ and sandbox/ both use, such as exact money) imports none of src/, server/, sandbox/.
 * An import is any form that names a module: import / export … from, import type, import('…') and
 * `typeof import('…')`. test/server/lint-rules.test.ts shows each rule firing.
 */
import tsParser from '@typescript-eslint/parser';

const CODE = '{ts,mts,cts,js,mjs,cjs}';
const within = (dir) => `${dir}/**/*.${CODE}`;

/** Module specifiers a part of the tree must not name: relative paths into the folder, and the package's own entry. */
const forbidden = {
  server: {
    specifier: /^(?:(?:\.\.?\/)+server|portone-checkout\/server)(?:\/|$)/,
    message: 'src/ and sandbox/ never import server/ (the verifier): the element knows it only by URL, the sandbox plays PortOne, a stranger.',
  },
  sandbox: {
    specifier: /^(?:(?:\.\.?\/)+sandbox|portone-checkout\/sandbox)(?:\/|$)/,
    message: 'src/ never imports sandbox/: the element talks to PortOne (or the sandbox) only through its SDK.',
  },
  neutral: {
    specifier: /^(?:(?:\.\.?\/)+(?:src|server|sandbox)|portone-checkout(?:\/.*)?)(?:\/|$)/,
    message: 'lib/ is neutral ground shared by server/ and sandbox/: it imports none of src/, server/ or sandbox/.',
  },
  drivers: {
    specifier: /^(?:better-sqlite3|pg)(?:\/|$)/,
    message: 'Only server/store/ speaks to a database: use the OrderStore it gives.',
  },
  processEnv: {
    specifier: /^(?:node:)?process$/,
    importNames: ['env'],
    message: 'In server/, only config.ts reads the environment: take the value from its Config.',
  },
};

/** no-restricted-imports for static imports and exports; no-restricted-syntax for import('…') and import types. */
function restrictImports(...names) {
  const rules = names.map((name) => forbidden[name]);
  return {
    'no-restricted-imports': ['error', {
      patterns: rules.map(({ specifier, importNames, message }) => ({ regex: specifier.source, caseSensitive: true, ...(importNames && { importNames }), message })),
    }],
    'no-restricted-syntax': ['error', ...rules.filter((rule) => !rule.importNames).map(({ specifier, message }) => ({
      selector: `:matches(ImportExpression, TSImportType)[source.value=/${specifier.source}/]`,
      message,
    }))],
  };
}

export default [
  // The rules are about src/, server/, sandbox/ and lib/; the rest of the tree (tests, demo, bench, build output) is not linted.
  { ignores: ['*', '!src/', '!server/', '!sandbox/', '!lib/'] },
  {
    files: ['src', 'server', 'sandbox', 'lib'].map(within),
    languageOptions: { parser: tsParser, ecmaVersion: 'latest', sourceType: 'module' },
  },
  // Each file gets one list of restricted imports (a later block replaces an earlier one's, it does not add to it).
  { files: [within('src')], rules: restrictImports('server', 'sandbox', 'drivers') },
  { files: [within('sandbox')], rules: restrictImports('server', 'drivers') },
  { files: [within('lib')], rules: restrictImports('neutral', 'drivers') },
  { files: [within('server')], rules: restrictImports('drivers', 'processEnv') },
  { files: [within('server/store')], rules: restrictImports('processEnv') },
  { files: ['server/config.ts'], rules: restrictImports('drivers') },
  {
    files: [within('server')],
    ignores: ['server/config.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: forbidden.processEnv.message }],
    },
  },
];
