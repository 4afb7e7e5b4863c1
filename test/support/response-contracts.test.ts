import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ServiceContext } from '../../src/platform/auth/context.js';
import { API_PREFIX, defineRoute, registerApiRoutes } from '../../src/platform/http/api-route.js';
import { checkResponseContracts } from './response-contracts.js';

/** Routes whose handlers answer inside, outside and beyond their declared response schema. */
function appWith(answers: Record<string, unknown>) {
  const routes = Object.entries(answers).map(([name, answer]) =>
    defineRoute({
      method: 'GET',
      url: `/${name}`,
      summary: name,
      tag: 'test',
      permission: 'content:read',
      response: z.object({ id: z.string(), items: z.array(z.object({ n: z.number() })) }),
      handler: async () => answer as never,
    }),
  );
  const server = Fastify();
  registerApiRoutes(
    server,
    routes,
    async () => new ServiceContext('t', { kind: 'system', id: 's' }, ['content:read']),
  );
  return { server: server as never, apiRoutes: routes };
}

describe('the response contract check of the test apps', () => {
  it('passes answers that match, and fails those that do not or that carry undeclared fields', async () => {
    const app = appWith({
      good: { id: 'a', items: [{ n: 1 }] },
      wrongType: { id: 7, items: [] },
      extraField: { id: 'a', items: [{ n: 1, secret: 'x' }] },
    });
    const check = checkResponseContracts(app);
    const server = (app as unknown as { server: ReturnType<typeof Fastify> }).server;
    expect((await server.inject(`${API_PREFIX}/good`)).statusCode).toBe(200);
    expect((await server.inject(`${API_PREFIX}/wrongType`)).statusCode).toBe(500);
    expect((await server.inject(`${API_PREFIX}/extraField`)).statusCode).toBe(500);
    expect(check.checked()).toBe(3);
    expect(check.mismatches).toEqual([
      expect.stringMatching(/^GET \/wrongType answered outside its response schema: id: /),
      'GET /extraField sent fields its response schema does not declare: .items[0].secret',
    ]);
  });
});
