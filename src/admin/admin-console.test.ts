import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer } from '../platform/http/server.js';
import { createLogger } from '../platform/logging/logger.js';
import { registerAdminConsole } from './admin-console.js';

async function serverFor(directory: string): Promise<FastifyInstance> {
  const server = await createHttpServer({ logger: createLogger('silent') });
  await server.register(async (scope) => registerAdminConsole(scope, { directory }));
  return server;
}

describe('serving the admin console', () => {
  let directory = '';
  let server: FastifyInstance;
  const script = `console.log(${JSON.stringify('x'.repeat(4000))});`;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'attest-console-'));
    await mkdir(path.join(directory, 'assets'));
    await writeFile(
      path.join(directory, 'index.html'),
      '<!doctype html><title>Console</title><script type="module" src="/admin/assets/index-abc123.js"></script>',
    );
    await writeFile(path.join(directory, 'assets/index-abc123.js'), script);
    server = await serverFor(directory);
  });

  afterAll(async () => {
    await server?.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('answers every console path with index.html, never cached, under the strict policy', async () => {
    for (const url of [
      '/admin',
      '/admin/',
      '/admin/controls/0b6f1d43-1111-4222-8333-444455556666',
      '/admin/sign-in?x=1',
    ]) {
      const response = await server.inject({ url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['content-security-policy']).toContain("script-src 'self'");
      expect(response.headers['x-robots-tag']).toBe('noindex, nofollow');
      expect(response.body).toContain('<title>Console</title>');
    }
  });

  it('serves hashed assets for a year, compressed, and 404s unknown ones', async () => {
    const asset = await server.inject({
      url: '/admin/assets/index-abc123.js',
      headers: { 'accept-encoding': 'br' },
    });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-encoding']).toBe('br');
    expect(asset.headers['content-type']).toMatch(/javascript/);
    const missing = await server.inject({ url: '/admin/assets/nothing-here.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).not.toContain('<title>Console</title>');
  });

  it('says so when the console was not built', async () => {
    const unbuilt = await serverFor(path.join(directory, 'absent'));
    const response = await unbuilt.inject({ url: '/admin/controls' });
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('npm run build');
    await unbuilt.close();
  });
});
