import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { SecureVersion } from 'node:tls';
import dnsPacket from 'dns-packet';
import ssh2 from 'ssh2';

/**
 * Real servers for the checks of tenants' hosts: certificates made with openssl (a CA and leaves
 * with chosen validity dates), HTTPS servers with chosen TLS versions and headers, an SSH server
 * with chosen authentication methods and a UDP DNS responder with chosen records.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-host-checks-'));

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore', cwd: dir });
}

export interface Ca {
  cert: string;
  certFile: string;
  keyFile: string;
}

export function makeCa(name = 'Attest Test CA'): Ca {
  const certFile = path.join(dir, `${name.replace(/\W/g, '')}.crt`);
  const keyFile = path.join(dir, `${name.replace(/\W/g, '')}.key`);
  openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '3650',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  return { cert: fs.readFileSync(certFile, 'utf8'), certFile, keyFile };
}

let serial = 1;

/** A leaf for `names` signed by `ca`, valid between the two dates (YYYYMMDDHHMMSSZ). */
export function makeLeaf(ca: Ca, names: string[], from: Date, to: Date): { cert: string; key: string } {
  const id = serial++;
  const keyFile = path.join(dir, `leaf${id}.key`);
  const csrFile = path.join(dir, `leaf${id}.csr`);
  const certFile = path.join(dir, `leaf${id}.crt`);
  const db = path.join(dir, `index${id}.txt`);
  fs.writeFileSync(db, '');
  const san = names.map((name) => (/^[\d.]+$|:/.test(name) ? `IP:${name}` : `DNS:${name}`)).join(',');
  const config = path.join(dir, `ca${id}.cnf`);
  fs.writeFileSync(
    config,
    [
      '[ca]',
      'default_ca = test',
      '[test]',
      `database = ${db}`,
      `new_certs_dir = ${dir}`,
      `serial = ${path.join(dir, `serial${id}`)}`,
      'default_md = sha256',
      'policy = any',
      'copy_extensions = none',
      'unique_subject = no',
      'x509_extensions = leaf',
      '[any]',
      'commonName = supplied',
      '[leaf]',
      'basicConstraints = CA:FALSE',
      'keyUsage = digitalSignature',
      'extendedKeyUsage = serverAuth',
      `subjectAltName = ${san}`,
      '',
    ].join('\n'),
  );
  fs.writeFileSync(path.join(dir, `serial${id}`), `${id.toString(16).padStart(4, '0')}\n`);
  openssl([
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    `/CN=${names[0]}`,
    '-keyout',
    keyFile,
    '-out',
    csrFile,
  ]);
  const stamp = (date: Date) => `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
  openssl([
    'ca',
    '-batch',
    '-config',
    config,
    '-cert',
    ca.certFile,
    '-keyfile',
    ca.keyFile,
    '-in',
    csrFile,
    '-out',
    certFile,
    '-notext',
    '-startdate',
    stamp(from),
    '-enddate',
    stamp(to),
  ]);
  return { cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile, 'utf8') };
}

export interface Running {
  port: number;
  close(): Promise<void>;
}

/** An HTTPS server on 127.0.0.1 with the given TLS versions, answering with `headers`. */
export async function startHttpsServer(options: {
  cert: string;
  key: string;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  headers?: Record<string, string>;
  status?: number;
}): Promise<Running & { requests(): number }> {
  let requests = 0;
  const server = https.createServer(
    {
      cert: options.cert,
      key: options.key,
      minVersion: options.minVersion ?? 'TLSv1.2',
      maxVersion: options.maxVersion ?? 'TLSv1.3',
      // Lets the server offer TLS 1.0 and 1.1 where a test asks for them.
      ...(options.minVersion === 'TLSv1' || options.minVersion === 'TLSv1.1'
        ? { ciphers: 'ALL:@SECLEVEL=0' }
        : {}),
    },
    (_request, response) => {
      requests += 1;
      response.writeHead(options.status ?? 200, options.headers ?? {});
      response.end('ok');
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An SSH server on 127.0.0.1 that lists `methods` to a client that tries "none", and lets nobody in. */
export async function startSshServer(methods: string[]): Promise<Running> {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  const server = new ssh2.Server({ hostKeys: [privateKey] }, (client) => {
    client.on('authentication', (context) => context.reject(methods as never));
    client.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type DnsRecord =
  | { type: 'TXT'; name: string; data: string }
  | { type: 'CAA'; name: string; tag: string; value: string }
  | { type: 'SOA'; name: string };

/** A UDP DNS responder on 127.0.0.1: answers from `records`, sets AD when `authentic`. */
export async function startDnsServer(
  records: DnsRecord[],
  authentic: boolean,
): Promise<Running & { server: string }> {
  const socket: Socket = createSocket('udp4');
  socket.on('message', (message, remote) => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question) return;
    const matching = records.filter(
      (record) => record.name.toLowerCase() === question.name.toLowerCase() && record.type === question.type,
    );
    const answers = matching.map((record): dnsPacket.Answer => {
      if (record.type === 'TXT') return { type: 'TXT', name: record.name, ttl: 60, data: record.data };
      if (record.type === 'CAA')
        return {
          type: 'CAA',
          name: record.name,
          ttl: 60,
          data: { flags: 0, tag: record.tag as 'issue', value: record.value },
        };
      return {
        type: 'SOA',
        name: record.name,
        ttl: 60,
        data: {
          mname: 'ns.example.test',
          rname: 'hostmaster.example.test',
          serial: 1,
          refresh: 60,
          retry: 60,
          expire: 60,
          minimum: 60,
        },
      };
    });
    const known = records.some((record) => question.name.toLowerCase().endsWith(record.name.toLowerCase()));
    const reply = dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      flags:
        dnsPacket.RECURSION_DESIRED |
        dnsPacket.RECURSION_AVAILABLE |
        (authentic ? dnsPacket.AUTHENTIC_DATA : 0) |
        (known || answers.length ? 0 : 3), // NXDOMAIN for names outside the zone
      questions: [question],
      answers,
    });
    socket.send(reply, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  return {
    port,
    server: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
