import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseKinds } from '../../../test/support/databases.js';
import { seedTenant } from '../../../test/support/fixtures.js';
import { allApiRoutes } from '../../app.js';
import { createServices, type Services } from '../../services.js';
import { isPermission, type ServiceContext } from '../auth/context.js';
import { Sealer } from '../crypto/sealing.js';
import type { Database } from '../db/client.js';
import { createLocalBlobStore } from '../storage/local-blob-store.js';
import { API_PREFIX, type ApiRoute } from './api-route.js';
import { JsonText } from './json-response.js';
import { buildOpenApiDocument } from './openapi.js';

type Schema = Record<string, unknown>;
interface Operation {
  operationId: string;
  'x-permission': string;
  parameters?: { name: string; in: string; required: boolean; schema: Schema }[];
  requestBody?: { content: { 'application/json': { schema: Schema } } };
  responses: Record<string, unknown>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const kind = testDatabaseKinds[0];
if (!kind) throw new Error('no test database kind');

let db: Database;
let services: Services;
let ctx: ServiceContext;
let routes: ApiRoute[];

let blobDir: string;

beforeAll(async () => {
  db = await kind.create();
  const sealer = new Sealer(randomBytes(32));
  ({ ctx } = await seedTenant(db, 'openapi', { sealer }));
  // Services with a blob store, so that a document (and its download log) exists to be read.
  blobDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attest-openapi-'));
  services = createServices({
    db,
    sealer,
    blobs: createLocalBlobStore(blobDir),
  });
  const document = await services.documents.create(
    ctx,
    { title: 'OpenAPI document', accessLevel: 'public' },
    { filename: 'openapi.txt', data: Buffer.from('openapi') },
  );
  await services.documents.readFile(ctx, document.id);
  await services.certifications.create(ctx, {
    name: 'OpenAPI certification',
    auditor: 'OpenAPI auditor',
    validFrom: '2026-01-01',
    validUntil: '2027-01-01',
    documentId: document.id,
  });
  // An update post, an incident and an announced subprocessor change (which makes a notice).
  await services.tenantExports.request(ctx);
  await services.posts.create(ctx, { kind: 'general', title: 'OpenAPI update' });
  await services.incidents.create(ctx, { title: 'OpenAPI incident', detectedAt: new Date().toISOString() });
  await services.subprocessorChanges.announce(ctx, {
    kind: 'add',
    subprocessor: { key: 'openapi-newcomer', name: 'OpenAPI newcomer' },
    effectiveOn: new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10),
  });
  await services.hostChecks.create(ctx, { kind: 'dns', name: 'OpenAPI domain', target: 'openapi.example' });
  await services.knowledgeBase.create(ctx, { key: 'openapi-entry', question: 'OpenAPI?', answer: 'Yes.' });
  routes = allApiRoutes(services);
});

afterAll(async () => {
  await db?.close();
  if (blobDir) fs.rmSync(blobDir, { recursive: true, force: true });
});

const openApiPath = (url: string) => `${API_PREFIX}${url}`.replace(/:(\w+)/g, '{$1}');

function build(): Document {
  return buildOpenApiDocument(routes, {
    title: 'Attest API',
    version: '1',
    serverUrl: 'http://127.0.0.1:3000',
  }) as Document;
}

/** Every string in a schema has a length bound and every array an item bound (following $refs). */
function unboundedIn(
  schema: unknown,
  components: Record<string, Schema>,
  path: string,
  seen = new Set<string>(),
) {
  const found: string[] = [];
  if (!schema || typeof schema !== 'object') return found;
  const node = schema as Schema;
  if (typeof node.$ref === 'string') {
    const name = node.$ref.replace('#/components/schemas/', '');
    if (seen.has(name)) return found;
    return unboundedIn(components[name], components, path, new Set([...seen, name]));
  }
  const boundedFormat = ['uuid', 'date', 'date-time'].includes(String(node.format));
  if (node.type === 'string' && node.maxLength === undefined && !boundedFormat && !node.enum)
    found.push(path);
  if (node.type === 'array' && node.maxItems === undefined) found.push(`${path}[]`);
  for (const [key, child] of Object.entries(node)) {
    if (key === 'properties' && child && typeof child === 'object') {
      for (const [name, property] of Object.entries(child)) {
        found.push(...unboundedIn(property, components, `${path}.${name}`, seen));
      }
    } else if (key === 'items' || key === 'anyOf' || key === 'oneOf' || key === 'allOf') {
      for (const item of [child].flat()) found.push(...unboundedIn(item, components, path, seen));
    }
  }
  return found;
}

describe('the API route table', () => {
  it('has one route per method and URL, each with a permission', () => {
    const keys = routes.map((route) => `${route.method} ${route.url}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const route of routes) expect(isPermission(route.permission), route.url).toBe(true);
  });

  it('names the object parameter exactly when the URL has one', () => {
    for (const route of routes) {
      const params = [...route.url.matchAll(/:(\w+)/g)].map((match) => match[1]);
      expect(route.objectParam, `${route.method} ${route.url}`).toBe(params[0]);
      expect(params.length).toBeLessThanOrEqual(1);
    }
  });

  it('routes static segments before parameters', async () => {
    const app = Fastify();
    for (const route of routes) {
      app.route({ method: route.method, url: `${API_PREFIX}${route.url}`, handler: async () => route.url });
    }
    const id = '3f0c2b9e-8d1a-4c6e-9b7f-2a5d4e6f8a1b';
    const cases: [string, string, string][] = [
      ['PUT', '/categories/order', '/categories/order'],
      ['PATCH', `/categories/${id}`, '/categories/:id'],
      ['PUT', `/categories/${id}/controls/order`, '/categories/:id/controls/order'],
      ['PUT', '/faq/order', '/faq/order'],
      ['GET', `/faq/${id}`, '/faq/:id'],
      ['PUT', '/subprocessors/order', '/subprocessors/order'],
    ];
    for (const [method, url, expected] of cases) {
      const response = await app.inject({ method: method as 'GET', url: `${API_PREFIX}${url}` });
      expect(response.body, `${method} ${url}`).toBe(expected);
    }
    await app.close();
  });

  it('answers every read with what its response schema documents', async () => {
    const firstIds = new Map<string, string>();
    const reads = routes
      .filter((route) => route.method === 'GET')
      .sort((a, b) => a.url.split(':').length - b.url.split(':').length);
    expect(reads.length).toBeGreaterThan(8);
    for (const route of reads) {
      // An export streams a file rather than JSON; its own tests read it.
      if (!route.response) continue;
      const listUrl = route.url.replace(/\/:(id|version)(\/[a-z-]+)?$/, '');
      const id = firstIds.get(listUrl);
      if (route.objectParam) expect(id, `an item for ${route.url}`).toBeDefined();
      const answered = await route.handler({
        ctx,
        params: route.params?.parse(route.objectParam ? { [route.objectParam]: id } : {}),
        query: route.query?.parse({}),
        body: undefined,
        request: {} as never,
      });
      // A hot list comes serialized by the database: what it answers is what its text parses to.
      const result = answered instanceof JsonText ? (JSON.parse(answered.text) as unknown) : answered;
      expect(route.response, route.url).toBeDefined();
      const parsed = route.response?.parse(result);
      // Response schemas strip unknown keys: equality shows nothing undocumented is answered.
      expect(parsed, route.url).toEqual(result);
      const items = (result as { items?: { id?: string; version?: number }[] }).items;
      const first = items?.[0]?.id ?? items?.[0]?.version;
      if (first !== undefined) firstIds.set(route.url, String(first));
    }
  });
});

describe('the OpenAPI document', () => {
  it('is JSON for OpenAPI 3.1 and lists every route under its path and method', () => {
    const document = build();
    expect(document.openapi).toBe('3.1.0');
    expect(JSON.parse(JSON.stringify(document))).toEqual(document);
    const operationIds = new Set<string>();
    for (const route of routes) {
      const operation = document.paths[openApiPath(route.url)]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.url}`).toBeDefined();
      expect(operation?.['x-permission']).toBe(route.permission);
      expect(operation?.responses).toHaveProperty(String(route.successStatus ?? 200));
      expect(operation?.responses).toHaveProperty('401');
      operationIds.add(operation?.operationId ?? '');
    }
    expect(operationIds.size).toBe(routes.length);
    expect(JSON.stringify(document)).not.toContain('$defs');
  });

  it('declares every path parameter as required', () => {
    const document = build();
    for (const [path, item] of Object.entries(document.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      for (const operation of Object.values(item)) {
        const declared = (operation.parameters ?? []).filter((parameter) => parameter.in === 'path');
        expect(declared.map((parameter) => parameter.name)).toEqual(names);
        for (const parameter of declared) expect(parameter.required).toBe(true);
      }
    }
  });

  it('bounds every string and array a client may send', () => {
    const document = build();
    const { schemas } = document.components;
    let bodies = 0;
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        const body = operation.requestBody?.content['application/json'].schema;
        if (body) {
          bodies += 1;
          expect(unboundedIn(body, schemas, `${where} body`)).toEqual([]);
        }
        for (const parameter of operation.parameters ?? []) {
          expect(unboundedIn(parameter.schema, schemas, `${where} ${parameter.name}`)).toEqual([]);
        }
      }
    }
    expect(bodies).toBeGreaterThan(10);
    expect(schemas.TrustCenterDocumentInput).toBeDefined();
    expect(schemas.Control).toBeDefined();
  });

  it('refuses a route whose params do not match its URL', () => {
    const broken = { ...routes.find((route) => route.objectParam), params: undefined } as ApiRoute;
    expect(() => buildOpenApiDocument([broken], { title: 't', version: '1', serverUrl: 'http://x' })).toThrow(
      /params/,
    );
  });
});
