/**
 * SMTP throughput of Attest's client alone, to a local sink, beside nodemailer's pooled transport
 * (the reference) in the same run.
 *
 *   node --import tsx bench/notify/smtp.ts [--mails 20000] [--reference-mails 5000] [--connections 4] [--rounds 3]
 *
 * The sink is smtp-server in a child process (smtp-sink.mjs) that discards every message, so the
 * figure is the client's and the protocol's, not a disk's. Each round sends the same kind of mail
 * (a notice: display name, Reply-To, List-Unsubscribe, about 1 KB of text) with Attest's client
 * and then with nodemailer (`pool: true`, the same number of connections, no message cap); the
 * figure is the median of the rounds, and the machine's load is printed beside it. Floor: 2,000
 * mails/s with 4 connections. Writes results/smtp-latest.json and results/smtp-latest.md.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import type { OutgoingMail } from '../../src/platform/mail/smtp-client.contract.js';
import { createSmtpClient } from '../../src/platform/mail/smtp-client.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? (process.argv[index + 1] ?? fallback) : fallback;
};
const MAILS = Number(argument('mails', '20000'));
const REFERENCE_MAILS = Number(argument('reference-mails', '5000'));
const CONNECTIONS = Number(argument('connections', '4'));
const ROUNDS = Number(argument('rounds', '3'));
const FLOOR = 2_000;

const load = () => os.loadavg().map((value) => Math.round(value * 100) / 100);
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const text = `${'A new subprocessor will process personal data from 2027-01-01: Example Mail Ltd (Ireland).\n'.repeat(10)}\nUnsubscribe: https://trust.bench.example/u/0123456789abcdef`;
function mail(index: number): OutgoingMail {
  return {
    messageId: `<${index.toString(16).padStart(32, '0')}@attest.bench>`,
    from: { name: 'Bench Ltd Trust Center', address: 'notices@attest.bench' },
    to: `reader${index}@customers.example`,
    replyTo: 'security@bench.example',
    subject: 'New subprocessor from 2027-01-01: Example Mail Ltd',
    text,
    headers: {
      'List-Unsubscribe': '<https://trust.bench.example/u/0123456789abcdef>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };
}

async function startSink() {
  const child = fork(path.join(here, 'smtp-sink.mjs'), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) =>
    child.once('message', (message) => resolve((message as { port: number }).port)),
  );
  return {
    url: `smtp://127.0.0.1:${port}`,
    count: () =>
      new Promise<{ accepted: number; cpuMs: number }>((resolve) => {
        child.once('message', (message) => resolve(message as { accepted: number; cpuMs: number }));
        child.send('count');
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}

/** The client process's CPU during the last Attest round, in % of one core. */
let clientCpu = 0;

async function attest(url: string, count: number): Promise<number> {
  const client = createSmtpClient({
    url,
    connections: CONNECTIONS,
    maxMessagesPerConnection: Number.POSITIVE_INFINITY,
  });
  const mails = Array.from({ length: count }, (_, index) => mail(index));
  const started = performance.now();
  const cpu = process.cpuUsage();
  // As the mailer hands them over: batches, several in flight.
  const batches: Promise<unknown>[] = [];
  const outcomes: boolean[] = [];
  for (let start = 0; start < count; start += 500) {
    batches.push(
      client.sendBatch(mails.slice(start, start + 500)).then((done) => {
        for (const outcome of done) outcomes.push(outcome.ok);
      }),
    );
  }
  await Promise.all(batches);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  clientCpu = Math.round((used.user + used.system) / 1000 / seconds / 10);
  await client.close();
  if (outcomes.filter(Boolean).length !== count) throw new Error('attest: not every mail was accepted');
  return count / seconds;
}

async function reference(url: string, count: number): Promise<number> {
  const transport = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: CONNECTIONS,
    maxMessages: Number.POSITIVE_INFINITY,
  });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: count }, (_, index) => {
      const one = mail(index);
      return transport.sendMail({
        messageId: one.messageId,
        from: one.from,
        to: one.to,
        replyTo: one.replyTo,
        subject: one.subject,
        text: one.text,
        headers: one.headers,
      });
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  transport.close();
  return count / seconds;
}

async function main() {
  const sink = await startSink();
  const rounds: {
    round: number;
    attest: number;
    nodemailer: number;
    clientCpuPercent: number;
    sinkCpuPercent: number;
    loadBefore: number[];
    loadAfter: number[];
  }[] = [];
  try {
    await attest(sink.url, 500); // warm-up: JIT and the sink
    for (let round = 1; round <= ROUNDS; round += 1) {
      const loadBefore = load();
      const sinkBefore = await sink.count();
      const ours = await attest(sink.url, MAILS);
      const sinkAfter = await sink.count();
      const seconds = MAILS / ours;
      const sinkCpu = Math.round((sinkAfter.cpuMs - sinkBefore.cpuMs) / seconds / 10);
      const theirs = await reference(sink.url, REFERENCE_MAILS);
      const result = {
        round,
        attest: Math.round(ours),
        nodemailer: Math.round(theirs),
        clientCpuPercent: clientCpu,
        sinkCpuPercent: sinkCpu,
        loadBefore,
        loadAfter: load(),
      };
      rounds.push(result);
      process.stdout.write(`${JSON.stringify(result)}\n`);
    }
    const { accepted } = await sink.count();
    process.stdout.write(`sink accepted ${accepted} messages\n`);
  } finally {
    await sink.stop();
  }
  const ours = median(rounds.map((round) => round.attest));
  const theirs = median(rounds.map((round) => round.nodemailer));
  const ratio = Math.round((ours / theirs) * 10) / 10;
  const loads = rounds.flatMap((round) => [round.loadBefore[0] as number, round.loadAfter[0] as number]);
  const loadRange = `${Math.min(...loads)}–${Math.max(...loads)}`;
  const table = [
    '| client | connections | mails per round | mails/s (median of rounds) | vs nodemailer | load (1 min) |',
    '| --- | --- | --- | --- | --- | --- |',
    `| Attest (pipelined) | ${CONNECTIONS} | ${MAILS} | ${ours} | ${ratio} | ${loadRange} |`,
    `| nodemailer pool | ${CONNECTIONS} | ${REFERENCE_MAILS} | ${theirs} | 1 | ${loadRange} |`,
  ].join('\n');
  process.stdout.write(`\n${table}\n\nfloor ${FLOOR} mails/s: ${ours >= FLOOR ? 'met' : 'NOT met'}\n`);
  const machine = { node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model };
  const results = path.join(here, 'results');
  fs.mkdirSync(results, { recursive: true });
  fs.writeFileSync(
    path.join(results, 'smtp-latest.json'),
    `${JSON.stringify({ date: new Date().toISOString(), machine, mails: MAILS, referenceMails: REFERENCE_MAILS, connections: CONNECTIONS, rounds, median: { attest: ours, nodemailer: theirs, ratio }, floor: FLOOR }, null, 2)}\n`,
  );
  fs.writeFileSync(
    path.join(results, 'smtp-latest.md'),
    `# SMTP throughput to a local sink, ${new Date().toISOString().slice(0, 10)}\n\nNode ${machine.node}, ${machine.cpus} × ${machine.cpu}.\n\n${table}\n`,
  );
  if (ours < FLOOR) process.exitCode = 1;
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
