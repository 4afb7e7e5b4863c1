import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../../test/support/app.js';
import { testDatabaseKinds } from '../../test/support/databases.js';
import { sampleDocument } from '../../test/support/fixtures.js';
import { systemContext } from '../platform/auth/context.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A real HTTP request over a socket: inject() would bypass the fast path in front of the router. */
function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: '127.0.0.1', port, path, method, headers }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () =>
        resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks) }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

const comparedHeaders = [
  'content-type',
  'etag',
  'vary',
  'cache-control',
  'content-encoding',
  'content-security-policy',
  'strict-transport-security',
  'x-content-type-options',
  'referrer-policy',
  'permissions-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
];

describe.each(testDatabaseKinds)('the public fast path on $name', (kind) => {
  const holder = useTestApp(kind, { publicCacheMs: 60_000 });
  let port = 0;

  beforeAll(async () => {
    const { services, server } = holder.app;
    const tenant = await services.tenants.create({ slug: 'fast', name: 'Fast Inc' });
    await services.transfer.importDraft(systemContext(tenant.id), sampleDocument('FAST'), { publish: true });
    const domained = await services.tenants.create({
      slug: 'domained',
      name: 'Domained',
      customDomain: 'trust.fast.example',
    });
    await services.transfer.importDraft(systemContext(domained.id), sampleDocument('DOMAINED'), {
      publish: true,
    });
    await server.listen({ port: 0, host: '127.0.0.1' });
    port = (server.server.address() as AddressInfo).port;
  });

  it('answers from memory exactly what the routes answer: bytes, headers, 304 and HEAD', async () => {
    for (const path of [
      '/t/fast/security',
      '/t/fast',
      '/t/fast/faq.json',
      '/t/fast/subprocessors.md',
      '/t/fast/',
    ]) {
      for (const encoding of ['', 'gzip', 'br']) {
        const headers: Record<string, string> = encoding ? { 'accept-encoding': encoding } : {};
        const first = await get(port, path, headers); // fills the cache through the routes
        const routed = await holder.app.server.inject({ method: 'GET', url: path, headers });
        const fast = await get(port, path, headers);
        expect(fast.status, path).toBe(200);
        expect(fast.body.equals(routed.rawPayload), `${path} ${encoding}`).toBe(true);
        expect(first.body.equals(fast.body)).toBe(true);
        for (const name of comparedHeaders)
          expect(fast.headers[name], `${path} ${name}`).toBe(routed.headers[name]);
        const revalidated = await get(port, path, { ...headers, 'if-none-match': String(fast.headers.etag) });
        expect(revalidated.status).toBe(304);
        expect(revalidated.body.length).toBe(0);
        const head = await get(port, path, headers, 'HEAD');
        expect(head.status).toBe(200);
        expect(head.body.length).toBe(0);
      }
    }
  });

  it('leaves everything else to the routes: unknown pages, tenants, query strings, custom domains', async () => {
    expect((await get(port, '/t/fast/nonsense')).status).toBe(404);
    expect((await get(port, '/t/nobody/security')).status).toBe(404);
    expect((await get(port, '/t/fast/security?x=1')).status).toBe(200);
    await get(port, '/t/fast/security', { host: 'trust.fast.example' });
    expect((await get(port, '/t/fast/security', { host: 'trust.fast.example' })).status).toBe(404);
    const published = await get(port, '/t/fast/security');
    expect(published.body.toString()).toContain('FAST TLS everywhere');
  });
});
