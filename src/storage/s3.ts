// The S3 driver's transport: one bucket of an S3-compatible object store (AWS, MinIO, Ceph RGW, the Vietnamese clouds'
// object storage) through @aws-sdk/client-s3. Bytes only: what a key means and whether it is referenced is index.ts's.
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { S3StorageConfig } from '../config.js';

export interface ObjectStore {
  readonly bucket: string;
  /** Resolves once the store has the bytes durably (the PUT answered 200 after checking their MD5). */
  put(key: string, data: Buffer): Promise<void>;
  /** The object's bytes as they arrive; undefined when there is no such object. */
  get(key: string): Promise<Readable | undefined>;
  /** Idempotent: deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  close(): void;
}

export class ObjectStoreError extends Error {
  constructor(message: string, override readonly cause: unknown) {
    super(message);
    this.name = 'ObjectStoreError';
  }
}

export function createS3ObjectStore(config: S3StorageConfig): ObjectStore {
  const client = new S3Client({
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    credentials: config.credentials,
    // Content-MD5 on every PUT is what all S3-compatible servers check; the SDK's newer default CRC32 trailers (aws-chunked)
    // are not understood by every Ceph/MinIO release in service, so checksums are sent only where the API requires them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    // @smithy/node-http-handler 4.x: requestTimeout alone only logs a warning; throwOnRequestTimeout makes it fail the
    // request, and socketTimeout also ends a connection that goes silent mid-transfer (a hung gateway otherwise holds
    // an intake — and its upload — forever). Keep-alive agents with a bounded pool: one TLS handshake per connection.
    requestHandler: {
      connectionTimeout: Math.min(config.timeoutMs, 5000), requestTimeout: config.timeoutMs, throwOnRequestTimeout: true,
      socketTimeout: config.timeoutMs,
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: config.maxSockets }),
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets: config.maxSockets }),
    },
  });
  const bucket = config.bucket;
  const fail = (what: string, key: string) => (error: unknown): never => {
    throw new ObjectStoreError(`object storage ${what} ${bucket}/${key} failed: ${(error as Error).message}`, error);
  };
  return {
    bucket,
    async put(key, data) {
      await client.send(new PutObjectCommand({
        Bucket: bucket, Key: key, Body: data, ContentLength: data.length,
        // The server refuses the PUT (BadDigest) unless the bytes it stored are these.
        ContentMD5: createHash('md5').update(data).digest('base64'),
      })).catch(fail('put', key));
    },
    async get(key) {
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return answer.Body as Readable;
      } catch (error) {
        // A missing bucket is also a 404, but a misconfiguration or an outage, not a missing file.
        if (error instanceof S3ServiceException && error.name !== 'NoSuchBucket' && (error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404)) return undefined;
        return fail('get', key)(error);
      }
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(fail('delete', key));
    },
    close() {
      client.destroy();
    },
  };
}
