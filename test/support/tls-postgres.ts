import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A private PostgreSQL server that accepts only TLS connections, with a certificate from a CA of
 * its own, for testing `sslmode=verify-full`. It runs from the machine's PostgreSQL binaries in a
 * scratch directory (as the `postgres` user when the tests run as root, as PostgreSQL requires).
 */
export interface TlsPostgres {
  port: number;
  /** The CA that signed the server's certificate (for sslrootcert). */
  caFile: string;
  /** Another CA, which did not (a client trusting it must refuse the server). */
  otherCaFile: string;
  stop(): void;
}

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const versions = fs.readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const dir = path.join(root, version, 'bin');
    if (fs.existsSync(path.join(dir, 'initdb'))) return dir;
  }
  return undefined;
}

export const canRunPrivatePostgres = binDir() !== undefined;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

/** A CA, and a server certificate it signs for `hostnames` (DNS names or IP addresses). */
function certificates(dir: string, hostnames: string[]) {
  const ca = { key: path.join(dir, 'ca.key'), cert: path.join(dir, 'ca.crt') };
  const other = { key: path.join(dir, 'other-ca.key'), cert: path.join(dir, 'other-ca.crt') };
  for (const [pair, name] of [
    [ca, 'Attest Test CA'],
    [other, 'Unrelated CA'],
  ] as const) {
    openssl(
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'].concat([
        '-days',
        '1',
        '-subj',
        `/CN=${name}`,
        '-keyout',
        pair.key,
        '-out',
        pair.cert,
      ]),
    );
  }
  const server = { key: path.join(dir, 'server.key'), cert: path.join(dir, 'server.crt') };
  const csr = path.join(dir, 'server.csr');
  openssl(
    ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'].concat([
      '-subj',
      `/CN=${hostnames[0]}`,
      '-keyout',
      server.key,
      '-out',
      csr,
    ]),
  );
  const san = hostnames.map((name) => (net.isIP(name) ? `IP:${name}` : `DNS:${name}`)).join(',');
  const extensions = path.join(dir, 'server.ext');
  fs.writeFileSync(extensions, `subjectAltName=${san}\n`);
  openssl(
    ['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial'].concat([
      '-days',
      '1',
      '-extfile',
      extensions,
      '-out',
      server.cert,
    ]),
  );
  return { ca, other, server };
}

export async function startTlsPostgres({ hostnames }: { hostnames: string[] }): Promise<TlsPostgres> {
  const bin = binDir();
  if (!bin) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-tls-pg-'));
  const certs = certificates(dir, hostnames);
  const asRoot = process.getuid?.() === 0;
  const run = (command: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, command), ...args], {
          stdio: 'ignore',
        })
      : execFileSync(path.join(bin, command), args, { stdio: 'ignore' });
  const data = path.join(dir, 'data');
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  fs.chmodSync(dir, 0o755);
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync']);
  const port = await freePort();
  const serverKey = path.join(data, 'server.key');
  fs.copyFileSync(certs.server.key, serverKey);
  fs.copyFileSync(certs.server.cert, path.join(data, 'server.crt'));
  fs.chmodSync(serverKey, 0o600);
  if (asRoot) execFileSync('chown', ['postgres:postgres', serverKey, path.join(data, 'server.crt')]);
  fs.appendFileSync(
    path.join(data, 'postgresql.conf'),
    [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      'ssl = on',
      "ssl_min_protocol_version = 'TLSv1.3'",
      'fsync = off',
      'shared_buffers = 16MB',
      'max_connections = 20',
      '',
    ].join('\n'),
  );
  // TLS or nothing: a plain TCP connection finds no pg_hba line and is refused.
  fs.writeFileSync(
    path.join(data, 'pg_hba.conf'),
    'local all all trust\nhostssl all all 127.0.0.1/32 trust\n',
  );
  run('pg_ctl', ['-D', data, '-w', '-s', '-l', path.join(dir, 'server.log'), 'start']);
  return {
    port,
    caFile: certs.ca.cert,
    otherCaFile: certs.other.cert,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-w', '-s', '-m', 'immediate', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
