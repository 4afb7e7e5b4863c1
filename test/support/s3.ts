import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

/**
 * A real S3-compatible server (s3rver) on loopback for the S3 driver's tests: it speaks the S3 REST
 * API with signature checks, and keeps objects as files under `directory`, so a test can look at
 * exactly what was stored.
 */
export async function startS3Server(bucket: string) {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    directory,
    // s3rver's fixed credentials.
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    async close() {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

export type S3FaultMode = 'forward' | 'reset-after-put' | 'hang-put';

/**
 * An HTTP proxy in front of an S3 server that breaks uploads on purpose. `reset-after-put` sends
 * the PUT on (the server stores the object) and then resets the client's connection instead of
 * passing the answer back: the upload "failed" although the object exists. `hang-put` takes the
 * PUT and never answers nor forwards it. Every other request (GET, DELETE, LIST) is passed on.
 * Headers go through unchanged, so the client's signature still checks out at the server.
 */
export async function startFaultyS3Proxy(endpoint: string) {
  const { default: http } = await import('node:http');
  const upstream = new URL(endpoint);
  let mode: S3FaultMode = 'forward';
  const counts = { puts: 0, resets: 0, hangs: 0 };
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((request, response) => {
    const isPut = request.method === 'PUT';
    if (isPut) counts.puts += 1;
    if (isPut && mode === 'hang-put') {
      counts.hangs += 1;
      request.resume(); // read the body, answer never
      return;
    }
    const forwarded = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      (answer) => {
        if (isPut && mode === 'reset-after-put') {
          counts.resets += 1;
          answer.resume();
          answer.on('end', () => request.socket.resetAndDestroy());
          return;
        }
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forwarded.on('error', () => request.socket.destroy());
    request.pipe(forwarded);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as import('node:net').AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    set(next: S3FaultMode) {
      mode = next;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The same server in a child process started with OpenSSL's legacy provider: s3rver makes the
 * continuation token of a listing that spans pages with DES, which Node's default OpenSSL 3 no
 * longer offers, so a paged listing fails in-process with InternalError. For tests of listings.
 */
export async function startPagingS3Server(bucket: string) {
  const { spawn } = await import('node:child_process');
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-s3-'));
  const script = `
    const S3rver = require('s3rver');
    new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: ${JSON.stringify(directory)},
      configureBuckets: [{ name: ${JSON.stringify(bucket)} }] })
      .run().then(({ port }) => process.stdout.write(port + '\\n'));`;
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', script], {
    cwd: path.resolve(new URL('../..', import.meta.url).pathname),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}`)));
    child.stdout.once('data', (chunk) => resolve(Number(String(chunk).trim())));
  });
  child.removeAllListeners('exit');
  return {
    endpoint: `http://127.0.0.1:${port}`,
    directory,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
