// Whole rows read as JSON (row_to_json, json_agg) by the hot paths that send plain SQL through the raw client
// (Database.query: prepared once per connection, no query builder): decoded back to the table's row type with the
// columns' own drizzle mappers, so each keeps its table's row type and a column added to a table shows up without a change.
import { getTableColumns } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

/** JSON rows back to the table's row type, each column through its drizzle mapper (timestamps to Dates, …). */
export function decodeRows<T>(table: PgTable, raw: unknown): T[] {
  const rows = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<Record<string, unknown>> | null;
  if (!rows) return [];
  const columns = Object.entries(getTableColumns(table));
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [key, column] of columns) {
      const value = row[column.name];
      out[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
    }
    return out as T;
  });
}

