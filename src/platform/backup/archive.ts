import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { z } from 'zod';

/*
 * The backup archive (docs/decisions/0027-backups-that-restore.md). One file, sealed with the
 * backup key (never the master key), readable only whole:
 *
 *   header  "ATTESTBK" | version 1 | key check (8 bytes) | salt (32 bytes)
 *   chunks  u32 plaintext length | AES-256-GCM ciphertext | 16-byte tag, one after the other
 *
 * Each archive has its own key, HKDF-SHA256(backup key, salt); chunk i is sealed with the nonce i
 * (96 bits, big-endian) and the header plus a last-chunk flag as associated data (the STREAM
 * construction): a chunk changed, moved, dropped, or cut off at the end fails to authenticate.
 * The key check (an HMAC of the backup key) tells a different key from a damaged file.
 *
 * Inside, the plaintext is a sequence of entries: u32 length | JSON header | frames (u32 length |
 * bytes) ending with an empty frame. The entries are the database, then every blob, then the
 * manifest, which lists the SHA-256 and size of everything before it.
 */

const MAGIC = Buffer.from('ATTESTBK');
const VERSION = 1;
const HEADER_BYTES = MAGIC.length + 1 + 8 + 32;
/** Plaintext per chunk: big enough to keep the overhead (20 bytes a chunk) negligible. */
export const CHUNK_BYTES = 64 * 1024;
const TAG_BYTES = 16;
/** Headers and the manifest are small; a larger length is damage, not data. */
const MAX_ENTRY_HEADER_BYTES = 64 * 1024;

export const ARCHIVE_FORMAT = 1;

export class BackupError extends Error {
  override name = 'BackupError';
}

export const manifestSchema = z.object({
  format: z.literal(ARCHIVE_FORMAT),
  createdAt: z.iso.datetime(),
  database: z.object({
    kind: z.enum(['postgres', 'pglite']),
    /** pg_dump's custom format, or PGlite's data directory as a gzipped tarball (dumpDataDir). */
    dump: z.enum(['pg_dump-custom', 'pglite-datadir-tgz']),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    bytes: z.number().int().min(0),
    /** Migration the schema was at. */
    schemaVersion: z.number().int().min(0),
  }),
  /** Rows per table ("schema.table"), counted in the same snapshot as the dump. */
  rowCounts: z.record(z.string(), z.number().int().min(0)),
  blobs: z.array(
    z.object({ key: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().min(0) }),
  ),
});
export type Manifest = z.infer<typeof manifestSchema>;

export type EntryHeader = { kind: 'database' } | { kind: 'blob'; key: string } | { kind: 'manifest' };

export function parseBackupKey(value: string): Buffer {
  const text = value.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new BackupError('ATTEST_BACKUP_KEY must be 32 bytes, base64 or hex encoded');
  return key;
}

function keyCheck(backupKey: Buffer): Buffer {
  return createHmac('sha256', backupKey).update('attest backup key check').digest().subarray(0, 8);
}

function archiveKey(backupKey: Buffer, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', backupKey, salt, 'attest backup archive v1', 32));
}

function nonceOf(index: number): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeBigUInt64BE(BigInt(index), 4);
  return nonce;
}

function associatedData(header: Buffer, last: boolean): Buffer {
  return Buffer.concat([header, Buffer.from([last ? 1 : 0])]);
}

function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
}

/** What an entry held: its digest and size, for the manifest. */
export interface EntryDigest {
  sha256: string;
  bytes: number;
}

/**
 * Writes an archive to an open file handle, chunk by chunk: memory stays at one chunk whatever the
 * size of the database or of a blob.
 */
export class ArchiveWriter {
  private readonly header: Buffer;
  private readonly key: Buffer;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0;
  private entry: { hash: ReturnType<typeof createHash>; bytes: number } | null = null;
  written = 0;

  constructor(
    private readonly file: fs.FileHandle,
    backupKey: Buffer,
  ) {
    const salt = randomBytes(32);
    this.header = Buffer.concat([MAGIC, Buffer.from([VERSION]), keyCheck(backupKey), salt]);
    this.key = archiveKey(backupKey, salt);
  }

  async start(): Promise<void> {
    await this.output(this.header);
  }

  private async output(bytes: Buffer): Promise<void> {
    await this.file.write(bytes);
    this.written += bytes.length;
  }

  private async seal(plaintext: Buffer, last: boolean): Promise<void> {
    const cipher = createCipheriv('aes-256-gcm', this.key, nonceOf(this.index));
    cipher.setAAD(associatedData(this.header, last));
    const sealed = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    this.index += 1;
    await this.output(Buffer.concat([u32(plaintext.length), sealed]));
  }

  private async plain(bytes: Buffer): Promise<void> {
    let rest = bytes;
    while (rest.length > 0) {
      const take = Math.min(rest.length, CHUNK_BYTES - this.pendingBytes);
      this.pending.push(rest.subarray(0, take));
      this.pendingBytes += take;
      rest = rest.subarray(take);
      if (this.pendingBytes === CHUNK_BYTES) {
        const chunk = Buffer.concat(this.pending);
        this.pending = [];
        this.pendingBytes = 0;
        await this.seal(chunk, false);
      }
    }
  }

  async beginEntry(header: EntryHeader): Promise<void> {
    if (this.entry) throw new Error('an entry is already open');
    const json = Buffer.from(JSON.stringify(header));
    await this.plain(Buffer.concat([u32(json.length), json]));
    this.entry = { hash: createHash('sha256'), bytes: 0 };
  }

  async write(bytes: Buffer): Promise<void> {
    if (!this.entry) throw new Error('no entry is open');
    for (let at = 0; at < bytes.length; at += CHUNK_BYTES) {
      const frame = bytes.subarray(at, at + CHUNK_BYTES);
      this.entry.hash.update(frame);
      this.entry.bytes += frame.length;
      await this.plain(Buffer.concat([u32(frame.length), frame]));
    }
  }

  async endEntry(): Promise<EntryDigest> {
    if (!this.entry) throw new Error('no entry is open');
    await this.plain(u32(0));
    const digest = { sha256: this.entry.hash.digest('hex'), bytes: this.entry.bytes };
    this.entry = null;
    return digest;
  }

  /** Seals what is left as the last chunk: without it, a reader takes the archive for cut off. */
  async finish(): Promise<void> {
    const chunk = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    await this.seal(chunk, true);
  }
}

/** The archive's authenticated plaintext, chunk by chunk; throws BackupError on any damage. */
async function* decryptedChunks(file: string, backupKey: Buffer): AsyncGenerator<Buffer> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    throw new BackupError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const size = (await handle.stat()).size;
    let position = 0;
    const read = async (length: number): Promise<Buffer> => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      position += bytesRead;
      return buffer.subarray(0, bytesRead);
    };
    const header = await read(HEADER_BYTES);
    if (header.length < HEADER_BYTES || !header.subarray(0, MAGIC.length).equals(MAGIC))
      throw new BackupError(`${file} is not an Attest backup archive`);
    if (header[MAGIC.length] !== VERSION)
      throw new BackupError(
        `${file} is a backup archive of format ${header[MAGIC.length]}, which this version cannot read`,
      );
    if (!header.subarray(MAGIC.length + 1, MAGIC.length + 9).equals(keyCheck(backupKey)))
      throw new BackupError(
        `${file} was sealed with another backup key: set ATTEST_BACKUP_KEY to the key it was made with`,
      );
    const key = archiveKey(backupKey, header.subarray(MAGIC.length + 9));
    for (let index = 0; ; index += 1) {
      const damaged = () =>
        new BackupError(`${file} is damaged or was altered (chunk ${index} does not authenticate)`);
      const lengthBytes = await read(4);
      if (lengthBytes.length === 0)
        throw new BackupError(`${file} is incomplete: it ends before its last chunk`);
      if (lengthBytes.length < 4) throw damaged();
      const length = lengthBytes.readUInt32BE();
      if (length > CHUNK_BYTES) throw damaged();
      const sealed = await read(length + TAG_BYTES);
      if (sealed.length < length + TAG_BYTES) throw damaged();
      const last = position === size;
      const decipher = createDecipheriv('aes-256-gcm', key, nonceOf(index));
      decipher.setAAD(associatedData(header, last));
      decipher.setAuthTag(sealed.subarray(length));
      let plaintext: Buffer;
      try {
        plaintext = Buffer.concat([decipher.update(sealed.subarray(0, length)), decipher.final()]);
      } catch {
        // Not the last chunk by position, yet sealed as last: the file was cut after it. The same
        // chunk read as the last when it was sealed as not last: bytes were added. Both are damage.
        throw damaged();
      }
      yield plaintext;
      if (last) return;
    }
  } finally {
    await handle.close();
  }
}

/** Reads exact byte counts across chunk boundaries. */
class PlainReader {
  private buffered: Buffer = Buffer.alloc(0);
  constructor(private readonly chunks: AsyncGenerator<Buffer>) {}

  async read(length: number): Promise<Buffer | null> {
    while (this.buffered.length < length) {
      const next = await this.chunks.next();
      if (next.done) return null;
      this.buffered = this.buffered.length ? Buffer.concat([this.buffered, next.value]) : next.value;
    }
    const out = this.buffered.subarray(0, length);
    this.buffered = this.buffered.subarray(length);
    return out;
  }

  async atEnd(): Promise<boolean> {
    if (this.buffered.length > 0) return false;
    const next = await this.chunks.next();
    if (next.done) return true;
    this.buffered = next.value;
    return this.buffered.length === 0 ? this.atEnd() : false;
  }
}

/** Where an entry's bytes go while the archive is read; null: read and checked, kept nowhere. */
export type EntrySink = {
  write(bytes: Buffer): Promise<void> | void;
  end(): Promise<void> | void;
} | null;

/**
 * Reads the whole archive, authenticating every chunk and checking every entry against the
 * manifest; `onEntry` decides where each entry's bytes go. Returns the manifest. Any damage is a
 * BackupError; a sink that already took bytes has then seen unchecked data, so a restore reads
 * the archive once without sinks first (`verifyArchive`).
 */
export async function readArchive(
  file: string,
  backupKey: Buffer,
  onEntry: (header: EntryHeader) => Promise<EntrySink> | EntrySink = () => null,
): Promise<Manifest> {
  const reader = new PlainReader(decryptedChunks(file, backupKey));
  const damaged = (what: string) => new BackupError(`${file} is damaged or was altered (${what})`);
  const digests: { header: EntryHeader; digest: EntryDigest }[] = [];
  let manifestText = '';
  for (;;) {
    const lengthBytes = await reader.read(4);
    if (!lengthBytes) throw damaged('it ends inside an entry');
    const length = lengthBytes.readUInt32BE();
    if (length === 0 || length > MAX_ENTRY_HEADER_BYTES) throw damaged('an entry header is malformed');
    const headerBytes = await reader.read(length);
    if (!headerBytes) throw damaged('it ends inside an entry');
    const header = JSON.parse(headerBytes.toString('utf8')) as EntryHeader;
    const sink = header.kind === 'manifest' ? null : await onEntry(header);
    const hash = createHash('sha256');
    let bytes = 0;
    const manifestParts: Buffer[] = [];
    for (;;) {
      const frameLength = await reader.read(4);
      if (!frameLength) throw damaged('it ends inside an entry');
      const size = frameLength.readUInt32BE();
      if (size === 0) break;
      if (size > CHUNK_BYTES) throw damaged('a frame is malformed');
      const frame = await reader.read(size);
      if (!frame) throw damaged('it ends inside an entry');
      hash.update(frame);
      bytes += size;
      if (header.kind === 'manifest') {
        if (bytes > 64 * 1024 * 1024) throw damaged('the manifest is too large');
        manifestParts.push(Buffer.from(frame));
      } else await sink?.write(frame);
    }
    await sink?.end();
    if (header.kind === 'manifest') {
      manifestText = Buffer.concat(manifestParts).toString('utf8');
      break;
    }
    digests.push({ header, digest: { sha256: hash.digest('hex'), bytes } });
  }
  if (!(await reader.atEnd())) throw damaged('data follows the manifest');
  const parsed = manifestSchema.safeParse(JSON.parse(manifestText));
  if (!parsed.success) throw damaged('the manifest is malformed');
  const manifest = parsed.data;
  // Authenticated already; this catches a writer's bug, and a manifest that does not describe the archive.
  const database = digests.filter((entry) => entry.header.kind === 'database');
  const blobs = digests.filter((entry) => entry.header.kind === 'blob');
  if (
    database.length !== 1 ||
    database[0]?.digest.sha256 !== manifest.database.sha256 ||
    database[0]?.digest.bytes !== manifest.database.bytes
  )
    throw damaged('the database does not match the manifest');
  if (blobs.length !== manifest.blobs.length) throw damaged('the blobs do not match the manifest');
  blobs.forEach((entry, index) => {
    const listed = manifest.blobs[index];
    if (
      entry.header.kind !== 'blob' ||
      listed?.key !== entry.header.key ||
      listed.sha256 !== entry.digest.sha256 ||
      listed.bytes !== entry.digest.bytes
    )
      throw damaged('a blob does not match the manifest');
  });
  return manifest;
}

/** Authenticates the whole archive and returns its manifest, keeping nothing. */
export function verifyArchive(file: string, backupKey: Buffer): Promise<Manifest> {
  return readArchive(file, backupKey);
}

/** Writes the manifest as the last entry and seals the archive. */
export async function finishArchive(writer: ArchiveWriter, manifest: Manifest): Promise<void> {
  await writer.beginEntry({ kind: 'manifest' });
  await writer.write(Buffer.from(JSON.stringify(manifestSchema.parse(manifest))));
  await writer.endEntry();
  await writer.finish();
}
