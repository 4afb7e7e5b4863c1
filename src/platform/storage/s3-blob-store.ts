import type { S3Client } from '@aws-sdk/client-s3';
import {
  assertBlobKey,
  type BlobStore,
  BlobStoreUnavailableError,
  isBlobKey,
  reasonOf,
  type StoredObject,
} from './blob-store.js';

export interface S3BlobStoreOptions {
  bucket: string;
  region: string;
  /** An S3-compatible service (MinIO, Ceph, R2, …); unset means AWS. */
  endpoint?: string | undefined;
  /** Prepended to every key, e.g. "attest/". */
  prefix?: string;
  forcePathStyle?: boolean;
  /** Explicit credentials; unset means the SDK's default chain (environment, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** Opening a connection (default 5 s). */
  connectTimeoutMs?: number | undefined;
  /** One operation, its retries included (default 30 s, as ATTEST_S3_REQUEST_TIMEOUT_MS); then it is abandoned (decision 0023). */
  requestTimeoutMs?: number | undefined;
  /** Keys per listing page (S3's default and maximum: 1,000); tests page with fewer. */
  listPageSize?: number | undefined;
}

/**
 * Blobs as objects in an S3-compatible bucket. An object appears whole or not at all, so writes
 * are atomic by nature. The bytes are already encrypted by the vault; server-side encryption of
 * the bucket is an extra layer, not the one we rely on.
 *
 * Every operation has a deadline (connection and whole request, retries included). A write that
 * fails may still have reached the bucket (the connection was reset after the server stored it),
 * so a failed write deletes its key before it reports the failure. If that delete fails too, the
 * object stays unreferenced until the worker's orphan sweep (src/worker/blob-sweep.ts) removes it.
 */
export function createS3BlobStore(options: S3BlobStoreOptions): BlobStore {
  // The SDK (~20MB once loaded) is imported on first use, so a server on local storage never loads it.
  let sdk: Promise<typeof import('@aws-sdk/client-s3')> | undefined;
  const loadSdk = () => {
    sdk ??= import('@aws-sdk/client-s3');
    return sdk;
  };
  const connectMs = options.connectTimeoutMs ?? 5_000;
  const requestMs = options.requestTimeoutMs ?? 30_000;
  let client: Promise<S3Client> | undefined;
  const connect = () => {
    client ??= loadSdk().then(
      ({ S3Client }) =>
        new S3Client({
          region: options.region,
          ...(options.endpoint ? { endpoint: options.endpoint } : {}),
          forcePathStyle: options.forcePathStyle ?? false,
          ...(options.credentials ? { credentials: options.credentials } : {}),
          // Checksums only where S3 requires them: several S3-compatible servers reject the newer headers.
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
          // Per attempt: connecting, and any wait for the server's next bytes.
          requestHandler: { connectionTimeout: connectMs, requestTimeout: requestMs },
          maxAttempts: 2,
        }),
    );
    return client;
  };
  const prefix = options.prefix ?? '';
  const objectKey = (key: string) => `${prefix}${assertBlobKey(key)}`;
  const deadline = () => ({ abortSignal: AbortSignal.timeout(requestMs) });

  async function remove(key: string): Promise<void> {
    const { DeleteObjectCommand } = await loadSdk();
    await (await connect()).send(
      new DeleteObjectCommand({ Bucket: options.bucket, Key: objectKey(key) }),
      deadline(),
    );
  }

  /**
   * Every object under the prefix in key order (so one tenant's keys come in a row), a page at a
   * time. The next page starts after the last key seen (`StartAfter`), which every S3-compatible
   * server implements alike; continuation tokens are opaque and some servers' are broken.
   */
  async function* list(): AsyncGenerator<StoredObject> {
    const { ListObjectsV2Command } = await loadSdk();
    let after: string | undefined;
    for (;;) {
      let page: import('@aws-sdk/client-s3').ListObjectsV2CommandOutput;
      try {
        page = await (await connect()).send(
          new ListObjectsV2Command({
            Bucket: options.bucket,
            ...(prefix ? { Prefix: prefix } : {}),
            ...(after ? { StartAfter: after } : {}),
            ...(options.listPageSize ? { MaxKeys: options.listPageSize } : {}),
          }),
          deadline(),
        );
      } catch (error) {
        throw new BlobStoreUnavailableError('list', reasonOf(error));
      }
      const objects = page.Contents ?? [];
      for (const object of objects) {
        const key = object.Key?.slice(prefix.length) ?? '';
        // Someone else's objects in a shared bucket are left alone.
        if (!object.Key?.startsWith(prefix) || !isBlobKey(key) || !object.LastModified) continue;
        yield { kind: 'blob', key, modifiedAt: object.LastModified };
      }
      const last = objects.at(-1)?.Key;
      if (!page.IsTruncated || !last || last === after) return;
      after = last;
    }
  }

  return {
    driver: 's3',
    list,
    // A put is one request: S3 leaves no partial object behind for anyone to remove.
    async removeTemporary() {},

    async put(key, data) {
      const { PutObjectCommand } = await loadSdk();
      try {
        await (await connect()).send(
          new PutObjectCommand({
            Bucket: options.bucket,
            Key: objectKey(key),
            Body: data,
            ContentType: 'application/octet-stream',
          }),
          deadline(),
        );
      } catch (error) {
        // The object may be in the bucket although the answer never came back: take it out again.
        await remove(key).catch(() => {});
        throw new BlobStoreUnavailableError('put', reasonOf(error));
      }
    },

    async get(key) {
      try {
        const { GetObjectCommand } = await loadSdk();
        const result = await (await connect()).send(
          new GetObjectCommand({ Bucket: options.bucket, Key: objectKey(key) }),
          deadline(),
        );
        if (!result.Body) return null;
        return Buffer.from(await result.Body.transformToByteArray());
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === 'NoSuchKey' || name === 'NotFound') return null;
        throw new BlobStoreUnavailableError('get', reasonOf(error));
      }
    },

    async delete(key) {
      try {
        await remove(key);
      } catch (error) {
        throw new BlobStoreUnavailableError('delete', reasonOf(error));
      }
    },
  };
}
