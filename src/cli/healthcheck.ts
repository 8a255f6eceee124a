// The container's HEALTHCHECK (Dockerfile), for both processes of the image: HEALTH_URL when set; otherwise the
// server's /healthz on PORT, and, when nothing listens there (the worker serves no API), the worker's on
// WORKER_HEALTH_PORT. Exit 0 healthy, 1 not. Reads the environment directly: it must not fail on a config problem
// the process itself would report.
const env = process.env;
const candidates = env.HEALTH_URL
  ? [env.HEALTH_URL]
  : [`http://127.0.0.1:${env.PORT || 3000}/healthz`, ...(env.WORKER_HEALTH_PORT === '0' ? [] : [`http://127.0.0.1:${env.WORKER_HEALTH_PORT || 3001}/healthz`])];

async function healthy(url: string): Promise<boolean | 'refused'> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_500) })).ok;
  } catch (error) {
    return (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED' ? 'refused' : false;
  }
}

let ok = false;
for (const url of candidates) {
  const result = await healthy(url);
  if (result === 'refused') continue; // not this process's port: try the next
  ok = result;
  break;
}
process.exit(ok ? 0 : 1);
