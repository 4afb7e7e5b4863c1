import type { S3Client } from '@aws-sdk/client-s3';
import { assertBlobKey, type BlobStore } from './blob-store.js';

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
}

/**
 * Blobs as objects in an S3-compatible bucket. An object appears whole or not at all, so writes
 * are atomic by nature. The bytes are already encrypted by the vault; server-side encryption of
 * the bucket is an extra layer, not the one we rely on.
 */
export function createS3BlobStore(options: S3BlobStoreOptions): BlobStore {
  // The SDK (~20MB once loaded) is imported on first use, so a server on local storage never loads it.
  let sdk: Promise<typeof import('@aws-sdk/client-s3')> | undefined;
  const loadSdk = () => {
    sdk ??= import('@aws-sdk/client-s3');
    return sdk;
  };
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
        }),
    );
    return client;
  };
  const prefix = options.prefix ?? '';
  const objectKey = (key: string) => `${prefix}${assertBlobKey(key)}`;

  return {
    driver: 's3',

    async put(key, data) {
      const { PutObjectCommand } = await loadSdk();
      await (await connect()).send(
        new PutObjectCommand({
          Bucket: options.bucket,
          Key: objectKey(key),
          Body: data,
          ContentType: 'application/octet-stream',
        }),
      );
    },

    async get(key) {
      try {
        const { GetObjectCommand } = await loadSdk();
        const result = await (await connect()).send(
          new GetObjectCommand({ Bucket: options.bucket, Key: objectKey(key) }),
        );
        if (!result.Body) return null;
        return Buffer.from(await result.Body.transformToByteArray());
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === 'NoSuchKey' || name === 'NotFound') return null;
        throw error;
      }
    },

    async delete(key) {
      const { DeleteObjectCommand } = await loadSdk();
      await (await connect()).send(new DeleteObjectCommand({ Bucket: options.bucket, Key: objectKey(key) }));
    },
  };
}
