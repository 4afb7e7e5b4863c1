import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { Logger } from 'pino';

export interface TlsFiles {
  /** PEM certificate chain (leaf first). */
  certFile: string;
  /** PEM private key of the leaf certificate. */
  keyFile: string;
  /** How often the files are checked for a renewal; ten seconds by default. */
  reloadCheckMs?: number;
}

/** TLS 1.3 only, as the trust center states: no protocol downgrade, only its AEAD cipher suites. */
const TLS_OPTIONS = { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' } as const;

function readPair(files: TlsFiles): { cert: Buffer; key: Buffer } {
  const pair = { cert: fs.readFileSync(files.certFile), key: fs.readFileSync(files.keyFile) };
  // Throws on a key that does not match its certificate or a file that is not PEM.
  tls.createSecureContext({ ...pair, ...TLS_OPTIONS });
  return pair;
}

/**
 * An HTTPS server that accepts TLS 1.3 only, and picks up a renewed certificate without a
 * restart: the files are checked every few seconds (a cert-manager Secret or certbot replaces them
 * in place), and a new pair that loads is used for every new connection. A pair that does not load
 * (caught half-written, key and certificate not matching) is logged and the old one kept. A bad
 * pair at start-up is an error: the process does not start with no certificate.
 */
export function createTlsServer(
  files: TlsFiles,
  listener: (request: IncomingMessage, response: ServerResponse) => void,
  logger: Pick<Logger, 'info' | 'warn'>,
): https.Server {
  const server = https.createServer({ ...readPair(files), ...TLS_OPTIONS }, listener);
  const interval = files.reloadCheckMs ?? 10_000;
  let reloading = false;
  const reload = (current: fs.Stats, previous: fs.Stats) => {
    if (current.mtimeMs === previous.mtimeMs && current.ino === previous.ino) return;
    if (reloading) return;
    reloading = true;
    // Both files change at nearly the same moment: read them once the second write has settled.
    setTimeout(
      () => {
        reloading = false;
        try {
          server.setSecureContext({ ...readPair(files), ...TLS_OPTIONS });
          logger.info('TLS certificate reloaded');
        } catch (error) {
          logger.warn(
            { err: { type: (error as Error).name, code: (error as { code?: unknown }).code } },
            'TLS certificate not reloaded: the new files do not load; the previous certificate stays in use',
          );
        }
      },
      Math.min(500, interval),
    ).unref();
  };
  for (const file of [files.certFile, files.keyFile]) {
    fs.watchFile(file, { interval, persistent: false }, reload);
  }
  server.once('close', () => {
    for (const file of [files.certFile, files.keyFile]) fs.unwatchFile(file, reload);
  });
  return server;
}
