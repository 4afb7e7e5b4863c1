import { createHash } from 'node:crypto';
import fs from 'node:fs';
import yauzl from 'yauzl';
import yazl from 'yazl';

/** Every entry of a ZIP file, in order, read whole (test archives are small). */
export async function readZip(file: string): Promise<Map<string, Buffer>> {
  const zip = await yauzl.openPromise(file);
  const out = new Map<string, Buffer>();
  for await (const entry of zip.eachEntry() as AsyncIterable<yauzl.Entry>) {
    const stream = await zip.openReadStreamPromise(entry);
    const parts: Buffer[] = [];
    for await (const chunk of stream) parts.push(chunk as Buffer);
    out.set(entry.fileName, Buffer.concat(parts));
  }
  zip.close();
  return out;
}

/** Writes entries as a ZIP file. */
export async function writeZip(file: string, entries: Map<string, Buffer>): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of entries) zip.addBuffer(data, name);
  zip.end();
  await new Promise<void>((resolve, reject) => {
    (zip.outputStream as NodeJS.ReadableStream)
      .pipe(fs.createWriteStream(file))
      .on('close', () => resolve())
      .on('error', reject);
  });
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * A copy of an export with some entries changed; the manifest's hash and size of a changed file
 * are fixed to match unless `lie`, and `manifest` may rewrite the manifest last.
 */
export async function alteredArchive(
  source: string,
  target: string,
  change: {
    files?: Record<string, (data: Buffer) => Buffer>;
    manifest?: (manifest: Record<string, unknown>) => void;
    extra?: Record<string, Buffer>;
  },
): Promise<void> {
  const entries = await readZip(source);
  const manifest = JSON.parse(String(entries.get('manifest.json'))) as {
    files: { path: string; sha256: string; bytes: number }[];
  };
  for (const [name, edit] of Object.entries(change.files ?? {})) {
    const before = entries.get(name);
    if (!before) throw new Error(`no entry ${name}`);
    const after = edit(before);
    entries.set(name, after);
    const listed = manifest.files.find((file) => file.path === name);
    if (listed) {
      listed.sha256 = sha256(after);
      listed.bytes = after.length;
    }
  }
  for (const [name, data] of Object.entries(change.extra ?? {})) entries.set(name, data);
  change.manifest?.(manifest as unknown as Record<string, unknown>);
  entries.set('manifest.json', Buffer.from(JSON.stringify(manifest)));
  await writeZip(target, entries);
}
