// drizzle tables: the one description of the database that migrations are generated from (drizzle.config.ts).
// This file only re-exports; each table lives in the file of its area, and no table file imports this one.
export * from './organisation.js';
export * from './dossiers.js';
export * from './outbox.js';
export * from './results.js';
export * from './files.js';
export * from './routing.js';
export * from './registers.js';
export * from './admissions.js';
export * from './signing.js';
export * from './notifications.js';
export * from './administration.js';
export * from './documents.js';
export * from './citizens.js';
export * from './national-portal.js';
export * from './payments.js';
export * from './reporting.js';
