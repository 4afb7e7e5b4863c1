import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNoticeIn } from '../../src/modules/notices/notices.service.js';
import { subscribers } from '../../src/modules/subscribers/subscribers.schema.js';
import { systemContext } from '../../src/platform/auth/context.js';
import { Sealer } from '../../src/platform/crypto/sealing.js';
import { type Database, openDatabase, resultRows } from '../../src/platform/db/client.js';
import { withTenant } from '../../src/platform/db/tenancy.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import type { WorkerTuning } from '../../src/processes.js';
import { createServices } from '../../src/services.js';
import { createNoticeSender } from '../../src/worker/worker.js';
import { postgresTemplate } from '../support/database-templates.js';
import { freshPostgresDatabase, hasPostgres } from '../support/databases.js';
import { sampleDocument } from '../support/fixtures.js';
import { type MailSink, startMailSink } from '../support/mail-sink.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Hundreds in `npm test`; bench/notify/workers.sh runs the same scenarios with thousands. */
const SUBSCRIBERS = Number(process.env.ATTEST_MAIL_WORKERS_SUBSCRIBERS ?? 300);
/** Deadlines grow with the list: about 100 mails/s per worker under a full test run at least. */
const scaled = (ms: number) => Math.round(ms * Math.max(1, SUBSCRIBERS / 300));
/** Shorter than the slowest send below, so only renewal keeps a slow batch its worker's. */
const LEASE_MS = 3_000;
const SLOW_SEND_MS = 4_500;
const tuning: WorkerTuning = {
  mailer: { leaseMs: LEASE_MS, heartbeatMs: 500, pollMs: 200, batchSize: 25, lanes: 2 },
  worker: { pollingIntervalSeconds: 0.5 },
};

interface WorkerProcess {
  child: ChildProcess;
  /** Mails this process reports it handed to SMTP, from its log lines. */
  sent: number;
  /** Its warnings and errors (msg only), to explain a failure. */
  warnings: string[];
  exited: Promise<void>;
}

/**
 * Several `--role worker` processes on one PostgreSQL database deliver notices to one SMTP sink:
 * each recipient gets exactly one mail whatever the number of workers and however slowly the
 * server answers, and a worker killed with SIGKILL duplicates at most the mails it had handed to
 * the server, each once, while the rest is delivered by the others within seconds.
 */
describe.runIf(hasPostgres)('mail delivery by several worker processes', () => {
  let database: { url: string; drop(): Promise<void> };
  let db: Database;
  let sink: MailSink;
  let slow = new Set<number>();
  let tenantId = '';
  const masterKey = randomBytes(32);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-mail-workers-'));
  const workers: WorkerProcess[] = [];
  const sender = () => createNoticeSender({ db, logger: createLogger('silent') });
  let notices: ReturnType<typeof sender>;

  function startWorker(): Promise<WorkerProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/worker-process.ts'], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        ATTEST_DATA_DIR: dataDir,
        ATTEST_MASTER_KEY: masterKey.toString('base64'),
        SMTP_URL: sink.url,
        NODE_ENV: 'test',
        ATTEST_TEST_TUNING: JSON.stringify(tuning),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker: WorkerProcess = {
      child,
      sent: 0,
      warnings: [],
      exited: new Promise((resolve) => child.once('exit', () => resolve())),
    };
    workers.push(worker);
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      errors = `${errors}${chunk}`.slice(-4000);
    });
    return new Promise((resolve, reject) => {
      let buffered = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          const entry = JSON.parse(line) as { msg?: string; handedOver?: number; level?: number };
          if ((entry.level ?? 0) >= 40) worker.warnings.push(line.slice(0, 300));
          if (entry.msg === 'worker ready') resolve(worker);
          if (entry.msg === 'mail batch delivered') worker.sent += entry.handedOver ?? 0;
        }
      });
      child.once('exit', (code) =>
        reject(new Error(`worker exited (${code}) before it was ready: ${errors}`)),
      );
    });
  }

  async function stopAll() {
    for (const worker of workers) worker.child.kill('SIGTERM');
    await Promise.all(workers.map((worker) => worker.exited));
  }

  /** A notice to every subscriber, queued for the workers; its mails' dedupe keys start with the prefix. */
  async function announce(subject: string): Promise<string> {
    const noticeId = await withTenant(db, tenantId, (tx) =>
      createNoticeIn(tx, tenantId, { topic: 'general', updateId: null, subject, body: 'Body.' }, new Date()),
    );
    notices.dispatch(tenantId, noticeId);
    return noticeId;
  }

  /** The notice's mails by delivery state (the test's connection is the superuser: no RLS). */
  async function stateOf(noticeId: string): Promise<Record<string, number>> {
    const rows = resultRows<{ status: string; mails: number }>(
      await db.orm.execute(sql`
        select status, count(*)::int as mails from mail_outbox
        where dedupe_key like ${`notice:${noticeId}:%`} group by status`),
    );
    return Object.fromEntries(rows.map((row) => [row.status, row.mails]));
  }

  async function delivered(noticeId: string, timeoutMs: number): Promise<number> {
    const started = Date.now();
    for (;;) {
      const state = await stateOf(noticeId);
      if (state.sent === SUBSCRIBERS) return Date.now() - started;
      if (Date.now() - started > timeoutMs)
        throw new Error(`not delivered in ${timeoutMs} ms: ${JSON.stringify(state)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** How many mails of this notice each subscriber got (its subject is unique). */
  function countsFor(noticeId: string, ids: Map<string, string>): Map<string, number> {
    const counts = new Map<string, number>();
    for (const mail of sink.mails) {
      if (ids.get(mail.messageId) !== noticeId) continue;
      counts.set(mail.to, (counts.get(mail.to) ?? 0) + 1);
    }
    return counts;
  }

  /** Message-ID → notice, for the sink's mails: read from the outbox once the mails went out. */
  async function messageIds(): Promise<Map<string, string>> {
    const rows = resultRows<{ message_id: string; notice: string }>(
      await db.orm.execute(sql`
        select message_id, split_part(dedupe_key, ':', 2) as notice from mail_outbox
        where message_id is not null`),
    );
    return new Map(rows.map((row) => [row.message_id, row.notice]));
  }

  beforeAll(async () => {
    database = await freshPostgresDatabase(await postgresTemplate(String(process.env.TEST_DATABASE_URL)));
    db = await openDatabase({ url: database.url });
    sink = await startMailSink({ delayMs: (index) => (slow.has(index) ? SLOW_SEND_MS : 0) });
    const services = createServices({ db, sealer: new Sealer(masterKey) });
    tenantId = (await services.tenants.create({ slug: 'workers', name: 'Workers Tenant' })).id;
    await services.transfer.importDraft(systemContext(tenantId), sampleDocument('Workers'), {
      publish: true,
    });
    await withTenant(db, tenantId, (tx) =>
      tx.insert(subscribers).values(
        Array.from({ length: SUBSCRIBERS }, (_, index) => ({
          tenantId,
          email: `reader${index}@customers.example`,
          topics: ['all' as const],
          confirmedAt: new Date(),
          createdAt: new Date(),
        })),
      ),
    );
    notices = sender();
    await notices.start();
    await Promise.all([startWorker(), startWorker()]);
  }, scaled(60_000));

  afterAll(async () => {
    await stopAll();
    await notices?.stop();
    await db?.close();
    await sink?.close();
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'two workers and a server that holds some mails longer than the lease: each recipient once',
    async () => {
      // Three mails wait 4.5 s for their reply, longer than the 3 s lease: renewal must hold them.
      const first = sink.mails.length;
      slow = new Set([10, 130, 250].map((index) => first + index));
      const noticeId = await announce('Two workers, a slow server');
      const tookMs = await delivered(noticeId, scaled(30_000));
      slow = new Set();
      const counts = countsFor(noticeId, await messageIds());
      expect(counts.size).toBe(SUBSCRIBERS);
      const twice = [...counts].filter(([, count]) => count > 1);
      if (twice.length)
        console.info(twice.slice(0, 5), workers.flatMap((worker) => worker.warnings).slice(0, 20));
      expect([...counts.values()].every((count) => count === 1)).toBe(true);
      expect(sink.mails.filter((mail) => mail.answeredInMs > LEASE_MS).length).toBe(3);
      console.info(
        `2 workers, slow server: ${SUBSCRIBERS} recipients, ${sink.mails.length - first} mails in ${tookMs} ms; load ${os.loadavg()[0]?.toFixed(2)}`,
      );
    },
    scaled(40_000),
  );

  it(
    'four workers: each recipient once, and the work is shared',
    async () => {
      await Promise.all([startWorker(), startWorker()]);
      for (const worker of workers) worker.sent = 0;
      const first = sink.mails.length;
      const noticeId = await announce('Four workers');
      const tookMs = await delivered(noticeId, scaled(30_000));
      const counts = countsFor(noticeId, await messageIds());
      expect(counts.size).toBe(SUBSCRIBERS);
      const twice = [...counts].filter(([, count]) => count > 1);
      if (twice.length)
        console.info(twice.slice(0, 5), workers.flatMap((worker) => worker.warnings).slice(0, 20));
      expect([...counts.values()].every((count) => count === 1)).toBe(true);
      const shares = workers.map((worker) => worker.sent);
      expect(shares.reduce((sum, sent) => sum + sent, 0)).toBe(SUBSCRIBERS);
      expect(shares.filter((sent) => sent > 0).length).toBeGreaterThanOrEqual(2);
      console.info(
        `4 workers: ${sink.mails.length - first} mails in ${tookMs} ms, per worker ${shares.join('/')}; load ${os.loadavg()[0]?.toFixed(2)}`,
      );
    },
    scaled(90_000),
  );

  it(
    'a worker killed with SIGKILL at a random moment: the rest goes out within seconds, duplicates only of mails it had handed over',
    async () => {
      // Every mail takes a little while, so the kill lands in the middle of delivery.
      const first = sink.mails.length;
      slow = new Set();
      const noticeId = await announce('A worker is killed');
      while (((await stateOf(noticeId)).sent ?? 0) === 0)
        await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 300)));
      const victim = workers.find((worker) => worker.child.exitCode === null);
      if (!victim) throw new Error('no live worker');
      victim.child.kill('SIGKILL');
      await victim.exited;
      const killedAt = Date.now();
      // What it held in the middle of an SMTP transaction: handed over before the kill, outcome still
      // unknown a second later, when the live workers have recorded what they were sending then and
      // its lease (renewed until the kill) has not ended yet.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const interrupted = new Set(
        resultRows<{ to_address: string }>(
          await db.orm.execute(sql`
          select to_address from mail_outbox
          where dedupe_key like ${`notice:${noticeId}:%`}
            and ((status = 'sending' and send_started_at <= ${new Date(killedAt).toISOString()}::timestamptz)
              or last_error = 'mail:interrupted')`),
        ).map((row) => row.to_address),
      );
      const before = await stateOf(noticeId);
      // The others carry on at once; the killed one is restarted, as a supervisor would.
      const restarted = startWorker();
      await delivered(noticeId, scaled(60_000));
      const tookMs = Date.now() - killedAt;
      await restarted;
      const counts = countsFor(noticeId, await messageIds());
      expect(counts.size).toBe(SUBSCRIBERS);
      const duplicated = [...counts].filter(([, count]) => count > 1);
      for (const [address, count] of duplicated) {
        expect(interrupted.has(address), `${address} got ${count} mails but was not interrupted`).toBe(true);
        expect(count).toBe(2);
      }
      expect(tookMs).toBeLessThan(scaled(60_000));
      console.info(
        `kill -9 with ${JSON.stringify(before)} in the outbox: ${interrupted.size} interrupted mid-SMTP, ${duplicated.length} duplicates, all delivered ${tookMs} ms after the kill; ${sink.mails.length - first} mails; load ${os.loadavg()[0]?.toFixed(2)}`,
      );
    },
    scaled(60_000),
  );
});
