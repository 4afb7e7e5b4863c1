import zlib from 'node:zlib';
import type { App } from '../../src/app.js';
import { API_PREFIX, type ApiRoute } from '../../src/platform/http/api-route.js';

/**
 * Test-only: every JSON answer of an API route is checked against the response schema the route
 * declares (the schema the OpenAPI document is generated from). A mismatch fails the request with
 * a 500 that names the route and the problem, and is kept in `mismatches` for an afterEach check,
 * so the documented contract cannot drift from what the handlers send.
 */
export function checkResponseContracts(app: Pick<App, 'server' | 'apiRoutes'>): {
  mismatches: string[];
  checked: () => number;
} {
  const routes = new Map<string, ApiRoute>(
    app.apiRoutes.map((route) => [`${route.method} ${API_PREFIX}${route.url}`, route]),
  );
  const mismatches: string[] = [];
  let checked = 0;
  app.server.addHook('onSend', async (request, reply, payload) => {
    const route = routes.get(`${request.method} ${request.routeOptions.url}`);
    if (!route?.response || reply.statusCode < 200 || reply.statusCode >= 300) return payload;
    if (!String(reply.getHeader('content-type') ?? '').startsWith('application/json')) return payload;
    const text = readable(payload, reply.getHeader('content-encoding'));
    if (text === null) {
      // A streamed body would escape the check.
      throw new Error(`response contract check: ${route.method} ${route.url} sent a body it cannot read`);
    }
    checked += 1;
    const body = JSON.parse(text) as unknown;
    const result = route.response.safeParse(body);
    if (result.success) {
      const extra = undeclaredKeys(body, result.data, '');
      if (!extra.length) return payload;
      const mismatch = `${route.method} ${route.url} sent fields its response schema does not declare: ${extra.join(', ')}`;
      mismatches.push(mismatch);
      throw new Error(mismatch);
    }
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    const mismatch = `${route.method} ${route.url} answered outside its response schema: ${problems.join('; ')}`;
    mismatches.push(mismatch);
    throw new Error(mismatch);
  });
  return { mismatches, checked: () => checked };
}

/** The JSON text of a body as sent: a string, or a buffer as it is or compressed; null for a stream. */
function readable(payload: unknown, encoding: unknown): string | null {
  if (typeof payload === 'string') return payload;
  if (!Buffer.isBuffer(payload)) return null;
  if (encoding === 'br') return zlib.brotliDecompressSync(payload).toString('utf8');
  if (encoding === 'gzip') return zlib.gunzipSync(payload).toString('utf8');
  return payload.toString('utf8');
}

/** Keys the answer has that the parsed value lost: zod objects strip what the schema does not declare. */
function undeclaredKeys(sent: unknown, parsed: unknown, path: string): string[] {
  if (Array.isArray(sent) && Array.isArray(parsed)) {
    return sent.flatMap((item, index) => undeclaredKeys(item, parsed[index], `${path}[${index}]`));
  }
  if (!isRecord(sent) || !isRecord(parsed)) return [];
  return Object.keys(sent).flatMap((key) =>
    key in parsed ? undeclaredKeys(sent[key], parsed[key], `${path}.${key}`) : [`${path}.${key}`],
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
