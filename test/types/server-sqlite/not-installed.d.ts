// Stands in for a package a SQLite-only server app has not installed (pg, @types/pg, @types/better-sqlite3,
// @types/koa__cors): tsconfig.json's `paths` send those names here. Deliberately not a module, so any import of
// one from the published declarations fails with "is not a module" instead of quietly finding this repository's
// own node_modules (which has them all, as devDependencies).
