import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipart } from '../../../test/support/documents.js';
import { createLogger } from '../logging/logger.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-body.js';
import { registerMultipartUploads } from './multipart.js';
import { createHttpServer } from './server.js';

const ERROR_SHAPE = {
  error: { code: expect.any(String), message: expect.any(String), requestId: expect.any(String) },
};

describe('requests the parsers and the router cannot read', () => {
  let server: FastifyInstance;

  beforeAll(async () => {
    server = await createHttpServer({ logger: createLogger('silent') });
    await server.register(async (scope) => {
      await registerMultipartUploads(scope, { maxUploadBytes: 1024 });
      scope.post('/echo', async (request) => ({ body: request.body as unknown }));
      scope.get('/t/:slug/security', async () => ({ ok: true }));
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('answers a path that is not valid percent-encoding, or a parameter that is too long, with our 400 and without the path', async () => {
    for (const url of ['/t/%E0%A4%A/security', '/t/%ZZ/security', `/t/${'a'.repeat(300)}-MARK/security`]) {
      const response = await server.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(400);
      expect(response.json(), url).toMatchObject(ERROR_SHAPE);
      expect(response.body, url).not.toMatch(/%E0|%ZZ|MARK/);
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
    }
  });

  it(`refuses JSON nested deeper than ${MAX_JSON_DEPTH} levels with a 400, and still reads ordinary and tricky JSON`, async () => {
    const post = (payload: string) =>
      server.inject({
        method: 'POST',
        url: '/echo',
        headers: { 'content-type': 'application/json' },
        payload,
      });
    for (const payload of [
      `${'['.repeat(5000)}${']'.repeat(5000)}`,
      `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`,
      `${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`,
    ]) {
      const response = await post(payload);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject(ERROR_SHAPE);
    }
    const atLimit = `${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`;
    expect((await post(atLimit)).statusCode).toBe(200);
    // Brackets and escaped quotes inside strings are text, not nesting.
    const text = { note: `"${'[{'.repeat(500)}\\" [[` };
    expect((await post(JSON.stringify(text))).json()).toEqual({ body: text });
    expect((await post('{"__proto__": {"polluted": true}}')).statusCode).toBe(400);
    expect((await post('')).statusCode).toBe(400);
  });

  it('answers a multipart body without a boundary, with a wrong one or cut short with a 400, and reads a good one', async () => {
    const post = (contentType: string, payload: string | Buffer) =>
      server.inject({ method: 'POST', url: '/echo', headers: { 'content-type': contentType }, payload });
    for (const [contentType, payload] of [
      ['multipart/form-data', 'x'],
      ['multipart/form-data; boundary=', 'x'],
      ['multipart/form-data; boundary=zz', 'no boundary in here'],
      [
        'multipart/form-data; boundary=zz',
        '--zz\r\nContent-Disposition: form-data; name="a"\r\n\r\nunfinished',
      ],
      ['multipart/form-data; boundary="', 'x'],
    ] as const) {
      const response = await post(contentType, payload);
      expect(response.statusCode, `${contentType} ${payload}`).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, `${contentType} ${payload}`).toBeLessThan(500);
      expect(response.json()).toMatchObject(ERROR_SHAPE);
    }
    const good = multipart({ title: 'T', tag: 'one' }, { filename: 'a.txt', data: Buffer.from('hello') });
    const read = await post(good.headers['content-type'], good.payload);
    expect(read.statusCode).toBe(200);
    expect(read.json().body).toMatchObject({ title: 'T', tag: 'one', file: { filename: 'a.txt' } });

    const tooLarge = multipart({}, { filename: 'big.bin', data: Buffer.alloc(2048) });
    expect((await post(tooLarge.headers['content-type'], tooLarge.payload)).statusCode).toBe(413);
    const prototypeKey = multipart(Object.fromEntries([['__proto__', 'x']]));
    const polluted = await post(prototypeKey.headers['content-type'], prototypeKey.payload);
    expect(polluted.statusCode).toBeGreaterThanOrEqual(400);
    expect(polluted.statusCode).toBeLessThan(500);
  });

  it('counts nesting outside strings only', () => {
    expect(nestsDeeperThan('[[[]]]', 2)).toBe(true);
    expect(nestsDeeperThan('[[[]]]', 3)).toBe(false);
    expect(nestsDeeperThan('[[],[],[]]', 2)).toBe(false);
    expect(nestsDeeperThan('["[[[[", "\\"[[[["]', 1)).toBe(false);
    expect(nestsDeeperThan('["\\\\", [[]]]', 2)).toBe(true);
  });
});
