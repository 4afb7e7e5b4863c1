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
  /** The header block's size on the wire: status line, every header line and the blank line. */
  headerBytes: number;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: '127.0.0.1', port, path, headers }, (incoming) => {
      incoming.resume();
      incoming.on('end', () => {
        let headerBytes = `HTTP/1.1 ${incoming.statusCode} ${incoming.statusMessage}\r\n\r\n`.length;
        for (let index = 0; index < incoming.rawHeaders.length; index += 2) {
          headerBytes += `${incoming.rawHeaders[index]}: ${incoming.rawHeaders[index + 1]}\r\n`.length;
        }
        resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, headerBytes });
      });
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** Every header a public page answers with, and nothing else. */
const PAGE_HEADERS = [
  'cache-control',
  'connection',
  'content-length',
  'content-security-policy',
  'content-type',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'date',
  'etag',
  'keep-alive',
  'permissions-policy',
  'referrer-policy',
  'strict-transport-security',
  'vary',
  'x-content-type-options',
  'x-request-id',
];

function expectSecurityHeaders(headers: Answer['headers']): void {
  const csp = String(headers['content-security-policy']);
  const directives = new Map(
    csp.split(';').map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name, values.join(' ')];
    }),
  );
  expect(directives.get('default-src')).toBe("'none'");
  expect(directives.get('frame-ancestors')).toBe("'none'");
  expect(directives.get('base-uri')).toBe("'none'");
  expect(directives.get('form-action')).toBe("'self'");
  expect(directives.get('script-src')).toBe("'self'");
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
  expect(
    Number(/max-age=(\d+)/.exec(String(headers['strict-transport-security']))?.[1]),
  ).toBeGreaterThanOrEqual(31_536_000);
  expect(headers['strict-transport-security']).toContain('includeSubDomains');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  expect(headers['permissions-policy']).toContain('camera=()');
  expect(headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(headers['cross-origin-resource-policy']).toBe('same-origin');
}

describe.each(testDatabaseKinds.slice(0, 1))('the headers of a public page on $name', (kind) => {
  const holder = useTestApp(kind, { publicCacheMs: 60_000 });
  let port = 0;

  beforeAll(async () => {
    const { services, server } = holder.app;
    const tenant = await services.tenants.create({ slug: 'headed', name: 'Headed Ltd' });
    await services.transfer.importDraft(systemContext(tenant.id), sampleDocument('HEADED'), {
      publish: true,
    });
    await server.listen({ port: 0, host: '127.0.0.1' });
    port = (server.server.address() as AddressInfo).port;
    await get(port, '/t/headed/security'); // into memory through the routes
  });

  it('sends every security header and nothing a browser no longer reads, from memory and from the routes', async () => {
    for (const path of ['/t/headed/security', '/t/headed/security?from=router']) {
      const page = await get(port, path);
      expect(page.status, path).toBe(200);
      expect(Object.keys(page.headers).sort(), path).toEqual(PAGE_HEADERS);
      expectSecurityHeaders(page.headers);
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.headers.vary).toBe('Accept-Encoding');
      const br = await get(port, path, { 'accept-encoding': 'br' });
      expect(Object.keys(br.headers).sort()).toEqual([...PAGE_HEADERS, 'content-encoding'].sort());
    }
  });

  it('keeps the header block of a page from memory small', async () => {
    const page = await get(port, '/t/headed/security');
    // 934 B before the headers were pruned; nginx sends about 250 B, without any security header.
    expect(page.headerBytes).toBeLessThanOrEqual(800);
  });

  it('sends the same security headers on the API, the 404 page and errors', async () => {
    for (const path of ['/api/v1/controls', '/t/nobody/security', '/healthz']) {
      const answer = await get(port, path);
      expectSecurityHeaders(answer.headers);
      for (const gone of ['x-frame-options', 'x-dns-prefetch-control', 'x-permitted-cross-domain-policies']) {
        expect(answer.headers[gone], `${path} ${gone}`).toBeUndefined();
      }
    }
  });
});
