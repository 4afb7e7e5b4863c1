import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/platform/auth/context.js';
import { SESSION_COOKIE } from '../../src/platform/http/session-cookie.js';
import { useTestApp } from '../support/app.js';
import { testDatabaseKinds } from '../support/databases.js';
import { multipart, samplePdf } from '../support/documents.js';
import { sampleDocument } from '../support/fixtures.js';

const ORIGIN = 'http://127.0.0.1:3000';
const PASSWORD = 'a long and unusual passphrase 5182';
const MAX_UPLOAD = 4 * 1024 * 1024;
const ERROR_SHAPE = { error: { code: expect.any(String), message: expect.any(String) } };

/** Paths under /bff/api/ that name something outside /api/v1 once decoded (finding 6 and its kin). */
const ESCAPES = [
  '..%2f..%2fhealthz',
  '..%2F..%2F.well-known%2Fjwks.json',
  '%2e%2e%2f%2e%2e%2fhealthz',
  '..%252f..%252fhealthz',
  '%252e%252e/%252e%252e/healthz',
  '..%5c..%5chealthz',
  'controls%2f..%2f..%2f..%2fhealthz',
  'controls/..%2f..%2f..%2fhealthz',
  'controls%00',
  'controls%00%2f..%2f..%2fhealthz',
  'a//b',
  '%0d%0aX-Injected:%201',
];

describe.each(testDatabaseKinds)('the BFF forward on $name', (kind) => {
  const holder = useTestApp(kind, { maxUploadBytes: MAX_UPLOAD });
  let cookie = '';

  beforeAll(async () => {
    const { services } = holder.app;
    const tenant = await services.tenants.create({ slug: 'forward', name: 'Forward' });
    const ctx = systemContext(tenant.id);
    await services.transfer.importDraft(ctx, sampleDocument('FWD'), { publish: true });
    await services.members.add(ctx, { email: 'owner@forward.example', role: 'owner', password: PASSWORD });
    const login = await holder.app.server.inject({
      method: 'POST',
      url: '/bff/login',
      headers: { origin: ORIGIN },
      payload: { email: 'owner@forward.example', password: PASSWORD, tenant: 'forward' },
    });
    expect(login.statusCode).toBe(200);
    cookie = `${SESSION_COOKIE}=${String(login.headers['set-cookie']).split(';')[0]?.split('=')[1]}`;
  });

  const get = (url: string) =>
    holder.app.server.inject({ method: 'GET', url, headers: { origin: ORIGIN, cookie } });

  it('refuses with 404 every path that would leave /api/v1, and forwards the ones that stay', async () => {
    for (const path of ESCAPES) {
      const response = await get(`/bff/api/${path}`);
      expect(response.statusCode, path).toBe(404);
      expect(response.json(), path).toMatchObject(ERROR_SHAPE);
      expect(response.body, path).not.toContain('keys');
      expect(response.body, path).not.toContain('status":"ok');
    }
    const badEncoding = await get('/bff/api/controls/%E0%A4%A');
    expect(badEncoding.statusCode).toBe(400);
    expect(badEncoding.json()).toMatchObject(ERROR_SHAPE);

    expect((await get('/bff/api/controls')).json().items.length).toBeGreaterThan(0);
    expect((await get('/bff/api/controls/')).statusCode).toBe(200);
    const paged = await get('/bff/api/controls?limit=1');
    expect(paged.json().items).toHaveLength(1);
  });

  it('refuses them over a socket too, where no client tidies the path up first', async () => {
    // inject() resolves "%2e%2e" and ".." itself; a raw HTTP request keeps them as sent.
    await holder.app.server.listen({ port: 0, host: '127.0.0.1' });
    const { port } = holder.app.server.server.address() as AddressInfo;
    const raw = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = http.request(
          { host: '127.0.0.1', port, path, method: 'GET', headers: { origin: ORIGIN, cookie } },
          (response) => {
            let body = '';
            response.on('data', (chunk) => {
              body += chunk;
            });
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
          },
        );
        request.on('error', reject);
        request.end();
      });
    for (const path of [
      '/bff/api/../../healthz',
      '/bff/api/%2e%2e/%2e%2e/healthz',
      '/bff/api/./../healthz',
      '/bff/api/controls/%2e',
      '/bff/api/controls/.%2e/..',
      '/bff/api/..\\..\\healthz',
    ]) {
      const response = await raw(path);
      expect(response.status, path).toBe(404);
      expect(JSON.parse(response.body), path).toMatchObject(ERROR_SHAPE);
    }
    expect((await raw('/bff/api/controls')).status).toBe(200);
  });

  it('passes bodies on as sent: deep JSON and broken forms are the API’s 400, a 3 MB upload goes through', async () => {
    const post = (url: string, headers: Record<string, string>, payload: string | Buffer) =>
      holder.app.server.inject({
        method: 'POST',
        url,
        headers: { origin: ORIGIN, cookie, ...headers },
        payload,
      });
    for (const payload of [
      `${'['.repeat(5000)}${']'.repeat(5000)}`,
      `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`,
    ]) {
      const response = await post('/bff/api/controls', { 'content-type': 'application/json' }, payload);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject(ERROR_SHAPE);
    }
    for (const contentType of [
      'multipart/form-data',
      'multipart/form-data; boundary=zz',
      'multipart/form-data; boundary=',
    ]) {
      for (const url of ['/bff/api/documents', '/api/v1/documents']) {
        const response = await post(
          url,
          { 'content-type': contentType },
          '--zz\r\nContent-Disposition: form-da',
        );
        expect(response.statusCode, `${url} ${contentType}`).toBeGreaterThanOrEqual(400);
        expect(response.statusCode, `${url} ${contentType}`).toBeLessThan(500);
        expect(response.json()).toMatchObject(ERROR_SHAPE);
      }
    }
    // Larger than the 2 MB JSON limit, within the upload limit: the multipart parser's own limit applies.
    const pdf = await samplePdf('A large upload through the console');
    const form = multipart(
      { title: 'Large file', category: 'other', accessLevel: 'private' },
      {
        filename: 'large.pdf',
        data: Buffer.concat([pdf, Buffer.alloc(3 * 1024 * 1024)]),
        contentType: 'application/pdf',
      },
    );
    const large = await post('/bff/api/documents', form.headers, form.payload);
    expect(large.statusCode, large.body).toBe(201);
  });
});
