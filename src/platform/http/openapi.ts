import { z } from 'zod';
import { API_PREFIX, type ApiRoute } from './api-route.js';

/*
 * The OpenAPI 3.1 description of the API, generated from the same zod schemas the routes validate
 * with, so the document cannot drift from the code. OpenAPI 3.1 schemas are JSON Schema 2020-12.
 * Schemas with a metadata id (`.meta({ id: 'Control' })`) become named components: output schemas
 * under their id, input schemas under `<id>Input` (defaults make the two differ).
 */

type JsonSchema = Record<string, unknown>;
type Io = 'input' | 'output';

export const errorResponse = z
  .object({
    error: z.object({
      code: z.string().describe('Stable machine-readable code, e.g. content.not_found.'),
      message: z.string(),
      requestId: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: 'Error' });

const errorStatuses = {
  400: 'The request is not valid; details name each problem.',
  401: 'Authentication is required.',
  403: 'The caller lacks the permission.',
  404: 'Not found, or not visible to this tenant.',
  429: "Over the credential's requests per minute; Retry-After says in how many seconds to try again.",
} as const;

/** Every answer says how much of the credential's per-minute budget is left. */
const rateLimitHeaders = {
  'RateLimit-Limit': { description: 'Requests per minute for this credential.', schema: { type: 'integer' } },
  'RateLimit-Remaining': { description: 'Requests left in this minute.', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until the budget is full again.', schema: { type: 'integer' } },
};

function componentName(id: string, io: Io): string {
  return io === 'output' ? id : `${id}Input`;
}

/** Converts one zod schema and moves its `$defs` into the document's components. */
function convert(schema: z.ZodType, io: Io, components: Record<string, JsonSchema>): JsonSchema {
  const generated = z.toJSONSchema(schema, { target: 'draft-2020-12', io, cycles: 'throw' }) as JsonSchema;
  const text = JSON.stringify(generated).replace(
    /"#\/\$defs\/([^"]+)"/g,
    (_, id: string) => `"#/components/schemas/${componentName(id, io)}"`,
  );
  const {
    $schema: _dialect,
    $defs,
    ...root
  } = JSON.parse(text) as JsonSchema & {
    $defs?: Record<string, JsonSchema>;
  };
  for (const [id, definition] of Object.entries($defs ?? {})) {
    const name = componentName(id, io);
    const existing = components[name];
    if (existing && JSON.stringify(existing) !== JSON.stringify(definition)) {
      throw new Error(`OpenAPI: two different schemas are named ${name}`);
    }
    components[name] = definition;
  }
  return root;
}

/** The properties of an object schema (following one component reference), for parameters. */
function objectProperties(schema: JsonSchema, components: Record<string, JsonSchema>, where: string) {
  const ref = typeof schema.$ref === 'string' ? schema.$ref.replace('#/components/schemas/', '') : null;
  const resolved = ref ? (components[ref] ?? {}) : schema;
  const properties = resolved.properties as Record<string, JsonSchema> | undefined;
  if (resolved.type !== 'object' || !properties) throw new Error(`OpenAPI: ${where} must be a z.object`);
  return { properties, required: new Set((resolved.required as string[] | undefined) ?? []) };
}

function parameters(route: ApiRoute, components: Record<string, JsonSchema>): JsonSchema[] {
  const where = `${route.method} ${route.url}`;
  const pathNames = [...route.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1] as string);
  const path = route.params
    ? objectProperties(convert(route.params, 'input', components), components, `params of ${where}`)
    : { properties: {}, required: new Set<string>() };
  const declared = Object.keys(path.properties);
  if (declared.length !== pathNames.length || pathNames.some((name) => !(name in path.properties))) {
    throw new Error(`OpenAPI: params of ${where} must declare exactly ${pathNames.join(', ') || 'nothing'}`);
  }
  const query = route.query
    ? objectProperties(convert(route.query, 'input', components), components, `query of ${where}`)
    : { properties: {}, required: new Set<string>() };
  const parameter = (name: string, location: 'path' | 'query', schema: JsonSchema, required: boolean) => {
    const { description, ...rest } = schema;
    return { name, in: location, required, ...(description ? { description } : {}), schema: rest };
  };
  return [
    ...pathNames.map((name) => parameter(name, 'path', path.properties[name] as JsonSchema, true)),
    ...Object.entries(query.properties).map(([name, schema]) =>
      parameter(name, 'query', schema, query.required.has(name)),
    ),
  ];
}

/** `GET /categories/:id/controls/order` → `getCategoriesByIdControlsOrder`. */
function operationId(route: ApiRoute): string {
  const words = route.url
    .split(/[/-]/)
    .filter(Boolean)
    .flatMap((segment) => (segment.startsWith(':') ? ['by', segment.slice(1)] : [segment]));
  return [route.method.toLowerCase(), ...words.map((word) => word[0]?.toUpperCase() + word.slice(1))].join(
    '',
  );
}

const etagHeader = {
  description:
    'A weak tag of this answer (of the tenant, the URL and the body): send it back as If-None-Match to get 304 while nothing changed.',
  schema: { type: 'string' },
};

function operation(route: ApiRoute, components: Record<string, JsonSchema>): JsonSchema {
  const status = route.successStatus ?? (route.response || route.produces ? 200 : 204);
  // A JSON read carries an ETag and answers a matching If-None-Match with 304 (json-response.ts).
  const tagged = route.method === 'GET' && Boolean(route.response) && !route.produces;
  const success = route.produces
    ? {
        description: 'A file.',
        content: Object.fromEntries(route.produces.map((type) => [type, { schema: { type: 'string' } }])),
      }
    : status === 204 || !route.response
      ? { description: 'Done; no content.' }
      : {
          description: status === 201 ? 'Created.' : 'OK.',
          headers: tagged ? { ...rateLimitHeaders, ETag: etagHeader } : rateLimitHeaders,
          content: { 'application/json': { schema: convert(route.response, 'output', components) } },
        };
  const errors = Object.keys(errorStatuses)
    .filter((code) => code !== '404' || route.url.includes(':'))
    .map((code) => [code, { $ref: `#/components/responses/${code}` }]);
  const params = parameters(route, components);
  return {
    operationId: operationId(route),
    summary: route.summary,
    description: `Requires the \`${route.permission}\` permission.`,
    tags: [route.tag],
    'x-permission': route.permission,
    ...(params.length ? { parameters: params } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: convert(route.body, 'input', components) } },
          },
        }
      : {}),
    responses: {
      [status]: success,
      ...(tagged
        ? { 304: { description: 'Not modified: the If-None-Match tag is the current answer.' } }
        : {}),
      ...Object.fromEntries(errors),
      default: { $ref: '#/components/responses/default' },
    },
  };
}

/** The OpenAPI 3.1 document for `routes`, which are served under API_PREFIX. */
export function buildOpenApiDocument(
  routes: readonly ApiRoute[],
  info: { title: string; version: string; serverUrl: string },
): object {
  const schemas: Record<string, JsonSchema> = {};
  const errorRef = convert(errorResponse, 'output', schemas);
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = `${API_PREFIX}${route.url}`.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const method = route.method.toLowerCase();
    const item = paths[path] ?? {};
    if (item[method]) throw new Error(`OpenAPI: ${route.method} ${route.url} is defined twice`);
    item[method] = operation(route, schemas);
    paths[path] = item;
  }
  const errorContent = { 'application/json': { schema: errorRef } };
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version },
    servers: [{ url: info.serverUrl }],
    security: [{ bearer: [] }],
    tags: [...new Set(routes.map((route) => route.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A session token (JWT) or an API key, as `Authorization: Bearer <token>`.',
        },
      },
      schemas,
      responses: {
        ...Object.fromEntries(
          Object.entries(errorStatuses).map(([code, description]) => [
            code,
            { description, content: errorContent },
          ]),
        ),
        429: {
          description: errorStatuses[429],
          headers: {
            'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } },
            ...rateLimitHeaders,
          },
          content: errorContent,
        },
        default: { description: 'Any other error (409, 413, 422, 500, …).', content: errorContent },
      },
    },
  };
}
