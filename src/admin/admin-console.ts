import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import compress from '@fastify/compress';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { logRequest } from '../platform/http/server.js';

export const ADMIN_PREFIX = '/admin';

/**
 * Where `vite build` puts the console: dist/web/admin at the package root. The same path is right
 * from src/admin (tests, tsx) and from dist/admin (the built server); tsc's own dist/admin holds
 * this file, so the console gets a folder of its own.
 */
export function defaultConsoleDirectory(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web/admin');
}

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Admin console not built</title></head>
<body><main><h1>The admin console is not built</h1>
<p>Run <code>npm run build</code> (or <code>npm start</code>, which builds it) and reload.</p></main></body></html>
`;

/**
 * The admin console: a single-page app under /admin. Hashed assets are cached for a year; every
 * other path under /admin is a client-side route and gets index.html, never cached, so a new
 * release is picked up at the next navigation. The console talks only to /bff; this scope serves
 * files and nothing else (no cookies are read here).
 */
export async function registerAdminConsole(
  app: FastifyInstance,
  { directory = defaultConsoleDirectory() }: { directory?: string } = {},
): Promise<void> {
  app.addHook('onResponse', async (request, reply) => logRequest(request, reply));
  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith(ADMIN_PREFIX)) reply.header('x-robots-tag', 'noindex, nofollow');
  });
  await app.register(compress, { global: true, threshold: 1024, encodings: ['br', 'gzip'] });

  const indexFile = path.join(directory, 'index.html');
  const index = fs.existsSync(indexFile) ? fs.readFileSync(indexFile) : null;
  const sendIndex = (reply: FastifyReply) =>
    reply
      .code(index ? 200 : 503)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(index ?? notBuiltPage);

  if (index) {
    await app.register(fastifyStatic, {
      root: path.join(directory, 'assets'),
      prefix: `${ADMIN_PREFIX}/assets/`,
      decorateReply: false,
      index: false,
      // File names carry a content hash: a changed file is a new URL.
      immutable: true,
      maxAge: '365d',
    });
  }
  app.get(ADMIN_PREFIX, async (_request, reply) => sendIndex(reply));
  app.get(`${ADMIN_PREFIX}/*`, async (_request, reply) => sendIndex(reply));
}
