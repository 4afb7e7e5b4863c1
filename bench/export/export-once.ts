/**
 * One export in a process of its own, so its peak memory is the export's alone (run.ts starts it).
 *   node --import tsx bench/export/export-once.ts <database url> <blob dir> <master key hex> <tenant id> <out file>
 */
import fs from 'node:fs';
import { writeTenantArchive } from '../../src/modules/tenant-export/export-writer.js';
import { Sealer } from '../../src/platform/crypto/sealing.js';
import { openDatabase } from '../../src/platform/db/client.js';
import { createLocalBlobStore } from '../../src/platform/storage/local-blob-store.js';
import { createServices } from '../../src/services.js';

const [url, blobDir, keyHex, tenantId, out] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const db = await openDatabase({ url });
const services = createServices({
  db,
  sealer: new Sealer(Buffer.from(keyHex, 'hex')),
  blobs: createLocalBlobStore(blobDir),
});
let peak = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 20);
const baseline = process.memoryUsage().rss;
const started = performance.now();
const marks: number[] = [];
const manifest = await writeTenantArchive(
  { db, vault: services.vault, clock: () => new Date() },
  tenantId,
  fs.createWriteStream(out),
  () => marks.push(performance.now()),
);
const ms = performance.now() - started;
clearInterval(sampler);
if (process.env.EXPORT_BENCH_FILES) {
  const slowest = manifest.files
    .map((file, index) => ({
      path: file.path,
      ms: Math.round((marks[index] ?? 0) - (marks[index - 1] ?? started)),
    }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 8);
  process.stderr.write(`${JSON.stringify(slowest)}\n`);
}
await db.close();
process.stdout.write(
  `${JSON.stringify({
    ms: Math.round(ms),
    files: manifest.files.length + 1,
    archiveBytes: fs.statSync(out).size,
    baselineRssMB: Math.round(baseline / 2 ** 20),
    peakRssSampledMB: Math.round(peak / 2 ** 20),
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`,
);
