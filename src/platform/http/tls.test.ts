import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logging/logger.js';
import { createHttpServer } from './server.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-tls-'));
const certFile = path.join(dir, 'tls.crt');
const keyFile = path.join(dir, 'tls.key');

/** A self-signed certificate for 127.0.0.1 with the given common name, written where the server reads it. */
function writeCertificate(commonName: string, target = { certFile, keyFile }): void {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${commonName}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      target.keyFile,
      '-out',
      target.certFile,
    ],
    { stdio: 'ignore' },
  );
}

/** The common name of the certificate the server presents to a new TLS 1.3 connection. */
function presentedName(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const name = socket.getPeerCertificate().subject?.CN;
      socket.end();
      resolve(String(name));
    });
    socket.once('error', reject);
  });
}

function handshake(port: number, version: 'TLSv1.2' | 'TLSv1.3'): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect(
      { host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: version, maxVersion: version },
      () => {
        const protocol = socket.getProtocol() ?? 'none';
        socket.end();
        resolve(protocol);
      },
    );
    socket.once('error', (error: NodeJS.ErrnoException) =>
      resolve(`refused: ${error.code ?? error.message}`),
    );
  });
}

describe('HTTPS listener (ATTEST_TLS_CERT / ATTEST_TLS_KEY)', () => {
  let server: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    writeCertificate('first.attest.test');
    server = await createHttpServer({
      logger: createLogger('silent'),
      tls: { certFile, keyFile, reloadCheckMs: 100 },
    });
    server.get('/hello', async () => ({ hello: 'over tls' }));
    await server.listen({ port: 0, host: '127.0.0.1' });
    port = (server.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('speaks TLS 1.3 and refuses TLS 1.2', async () => {
    expect(await handshake(port, 'TLSv1.3')).toBe('TLSv1.3');
    expect(await handshake(port, 'TLSv1.2')).toMatch(/^refused/);
    const response = await new Promise<string>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
        socket.write('GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
      });
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk;
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(response).toMatch(/^HTTP\/1\.1 200/);
    expect(response).toContain('strict-transport-security');
    expect(response).toContain('{"hello":"over tls"}');
  });

  it('is refused by openssl s_client with -tls1_2 and accepted with -tls1_3', async () => {
    // Asynchronously: the server answering the handshake runs in this process.
    const connect = (flag: string) =>
      new Promise<{ status: number; stdout: string }>((resolve) => {
        const child = execFile(
          'openssl',
          ['s_client', '-connect', `127.0.0.1:${port}`, flag],
          { encoding: 'utf8', timeout: 10_000 },
          (error, stdout) => resolve({ status: error ? Number(error.code ?? 1) : 0, stdout }),
        );
        child.stdin?.end();
      });
    const old = await connect('-tls1_2');
    expect(old.status).not.toBe(0);
    const current = await connect('-tls1_3');
    expect(current.status).toBe(0);
    expect(current.stdout).toMatch(/TLSv1\.3/);
  });

  it('uses a renewed certificate for new connections without a restart, and keeps the old one when the new pair is broken', async () => {
    expect(await presentedName(port)).toBe('first.attest.test');
    writeCertificate('renewed.attest.test');
    await expect
      .poll(() => presentedName(port), { timeout: 5_000, interval: 100 })
      .toBe('renewed.attest.test');

    // A key that does not belong to the certificate: not loaded, the renewed pair stays.
    const other = { certFile: path.join(dir, 'other.crt'), keyFile: path.join(dir, 'other.key') };
    writeCertificate('other.attest.test', other);
    fs.copyFileSync(other.keyFile, keyFile);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await presentedName(port)).toBe('renewed.attest.test');
    expect(await handshake(port, 'TLSv1.3')).toBe('TLSv1.3');
  });
});
