// A workaround for postgres.js 3.4.9 (the latest release), porsager/postgres#1154, #1208 and #1066: a write queued
// for a connection whose socket has just closed (a transaction's own ROLLBACK after PostgreSQL went away, typically)
// runs `socket.write` on `null` from a setImmediate, an uncaught TypeError that kills the process. Swallowing that
// error is not enough: the bytes stay in the connection's buffer and its flush timer is never reset, so every later
// StartupMessage on that connection is appended and never sent — the pool wedges (and PostgreSQL's own shutdown waits
// for those silent sockets). Measured here: a fast restart under load crashed an unpatched process on the first try.
//
// The fix (the shape of upstream PRs #1168/#1209, not yet released) is applied to the library's source as Node loads
// it, through a module-customization load hook — no patched copy in the repository, no install script:
//   - nextWrite() with no socket drops the buffered bytes and rejects the waiting queries with CONNECTION_CLOSED;
//   - closed() and terminate() reset the write buffer and its timer, and closed() forgets the last query's state, so a
//     reconnected connection starts clean (otherwise its first query fails with the previous session's error).
// Each replacement is checked against the exact text of 3.4.9; if the library changes, nothing is patched,
// postgresFixActive() says so and the process-level guard (isPostgresWriteRace) still keeps the process alive.
import { register } from 'node:module';

const MARKER = 'motcua.postgres.write-race-fix';

/** Runs in the loader thread: patches node_modules/postgres/src/connection.js (ESM; we never require() it). */
const HOOKS = String.raw`
const TARGET = /\/node_modules\/postgres\/src\/connection\.js$/;
const REPLACEMENTS = [
  ['function nextWrite(fn) {\n    const x = socket.write(chunk, fn)',
   'function nextWrite(fn) {\n    if (!socket) {\n      chunk = nextWriteTimer = null\n      error(Errors.connection(\'CONNECTION_CLOSED\', options))\n      return false\n    }\n    const x = socket.write(chunk, fn)'],
  ['    incomings = null\n    clearImmediate(nextWriteTimer)\n',
   '    incomings = null\n    clearImmediate(nextWriteTimer)\n    nextWriteTimer = chunk = null\n'],
  ['    clearImmediate(nextWriteTimer)\n    if (socket) {',
   '    clearImmediate(nextWriteTimer)\n    nextWriteTimer = chunk = null\n    if (socket) {'],
  ["error(Errors.connection('CONNECTION_CLOSED', options, socket))\n    closedTime = performance.now()",
   "error(Errors.connection('CONNECTION_CLOSED', options, socket))\n    query = results = errorResponse = null\n    result = new Result()\n    closedTime = performance.now()"],
  // The array-types query run on connect is fire-and-forget: a reset during it was an unhandled rejection (which ends
  // a process). Caught here; the next connection fetches the types again.
  ['        return fetchArrayTypes()\n',
   '        return fetchArrayTypes().catch(() => { needsTypes = options.fetch_types })\n'],
];
export async function load(url, context, nextLoad) {
  const loaded = await nextLoad(url, context);
  if (!url.startsWith('file:') || !TARGET.test(url) || loaded.source == null) return loaded;
  let source = typeof loaded.source === 'string' ? loaded.source : Buffer.from(loaded.source).toString('utf8');
  for (const [from, to] of REPLACEMENTS) {
    if (source.split(from).length !== 2) return loaded;
    source = source.replace(from, () => to);
  }
  return { ...loaded, source: 'globalThis[Symbol.for(' + JSON.stringify('${MARKER}') + ')] = true;\n' + source };
}
`;

let registered = false;

/** Installs the load hook; call before the first import of 'postgres' (src/db/client.ts imports it lazily for this). */
export function registerPostgresFix(): void {
  if (registered) return;
  registered = true;
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`);
}

/** True once a patched postgres.js has been loaded in this process. */
export function postgresFixActive(): boolean {
  return (globalThis as Record<symbol, unknown>)[Symbol.for(MARKER)] === true;
}

/** Exactly the upstream bug: the TypeError thrown by postgres.js's nextWrite on a null socket. */
export function isPostgresWriteRace(error: unknown): boolean {
  if (!(error instanceof TypeError) || typeof error.stack !== 'string') return false;
  const [, firstFrame = ''] = error.stack.split('\n');
  return /\(reading 'write'\)/.test(error.message) && /\bnextWrite\b/.test(firstFrame)
    && /[/\\]node_modules[/\\]postgres[/\\](cjs[/\\])?src[/\\]connection\.js:/.test(firstFrame);
}

/**
 * The second line of defence, for a process whose postgres.js could not be patched: the write race's TypeError is
 * reported through `onCaught` and the process lives on (postgres.js reconnects); every other uncaught exception goes
 * on to the process's 'uncaughtException' listeners (close-with-grace: graceful close, exit 1), or, with none, ends
 * the process as Node would. A capture callback, not a listener, because a listener cannot stop the others.
 */
export function guardPostgresWriteRace(onCaught: (error: Error) => void): boolean {
  if (process.hasUncaughtExceptionCaptureCallback()) return false;
  process.setUncaughtExceptionCaptureCallback((error) => {
    if (isPostgresWriteRace(error)) { onCaught(error as Error); return; }
    if (process.listenerCount('uncaughtException') > 0) {
      Reflect.apply(process.emit, process, ['uncaughtException', error, 'uncaughtException']);
      return;
    }
    console.error(error);
    process.exit(1);
  });
  return true;
}
