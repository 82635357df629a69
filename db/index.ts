// The storage layer's public face: open a database, build the store, and the types and errors they use.
export { openDatabase, type Database, type OpenOptions } from './open.js';
export { applyMigrations, schemaVersion, MIGRATIONS, type Migration } from './migrations.js';
export { createStore, type Store, type MetricsBatchEntry, type MetricsBatchResult } from './store.js';
export * from './run-status.js';
export * from './errors.js';
export * from './types.js';
