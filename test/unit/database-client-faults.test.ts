// What the database refuses because of the client's values is a 4xx with a stable code, never a 5xx (plugins/errors.ts
// clientFault, used by the JSON error handler and the pages'): text it cannot hold, and numbers or times out of range.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { clientFault } from '../../src/plugins/errors.js';

/** As drizzle wraps a postgres.js error: the SQLSTATE on the cause. */
const wrapped = (code: string) => Object.assign(new Error('Failed query: select …'), { cause: Object.assign(new Error('postgres'), { code }) });

describe('clientFault', () => {
  it.each([
    ['22021', 'NUL in text'], ['22P05', 'NUL in jsonb'],
    ['22003', 'numeric value out of range'], ['22008', 'datetime field overflow'], ['22007', 'invalid datetime format'],
  ])('maps SQLSTATE %s (%s) to 400 BAD_REQUEST', (code) => {
    const fault = clientFault(wrapped(code));
    expect(fault).toBeInstanceOf(AppError);
    expect([fault!.statusCode, fault!.code]).toEqual([400, 'BAD_REQUEST']);
    expect(fault!.message).not.toMatch(/select|postgres/i);
  });

  it('leaves other database errors (ours) alone', () => {
    for (const code of ['23505', '42P01', '22012', '40001']) expect(clientFault(wrapped(code)), code).toBeUndefined();
    expect(clientFault(new AppError('VALIDATION_FAILED', 'x'))).toBeUndefined();
  });
});
