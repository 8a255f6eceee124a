// A local S3-compatible server for the tests and the benchmark (s3rver: pure JS, objects as files in a temp dir), on a
// free port, with the bucket made; `env` is what a process needs to use it (STORAGE_DRIVER=s3 and the S3_* settings).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  env: Record<string, string>;
  /** Stops the server (the objects stay on disk until close). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same objects (after stop). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startLocalS3(bucket = 'motcua-files'): Promise<LocalS3> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'motcua-s3-'));
  const start = (port: number) => {
    const server = new S3rver({ port, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: bucket }] });
    return server.run().then((info) => ({ server, port: info.port }));
  };
  let running: { server: S3rver; port: number } | undefined = await start(0);
  const port = running.port;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint, bucket,
    env: {
      STORAGE_DRIVER: 's3', S3_ENDPOINT: endpoint, S3_BUCKET: bucket, S3_REGION: 'us-east-1', S3_FORCE_PATH_STYLE: 'true',
      // s3rver's fixed credentials.
      S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER', S3_TIMEOUT_MS: '5000',
    },
    async stop() {
      await running?.server.close();
      running = undefined;
    },
    async restart() {
      if (!running) running = await start(port);
    },
    async close() {
      await running?.server.close();
      running = undefined;
      await rm(directory, { recursive: true, force: true });
    },
  };
}
