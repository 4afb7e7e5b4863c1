import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';

/**
 * The deepest JSON body any route takes. The deepest real one (a whole trust center imported at
 * once) nests about six levels; 64 leaves room and stays far below where recursive code (zod,
 * JSON.stringify, the audit log) runs out of stack: 5,000 levels did, and answered 500.
 */
export const MAX_JSON_DEPTH = 64;

/** Whether the JSON text opens more than `max` arrays or objects inside each other (strings skipped). */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c)
        index++; // a backslash escapes the next character, a quote among them
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b || char === 0x5b) {
      depth++;
      if (depth > max) return true;
    } else if (char === 0x7d || char === 0x5d) {
      depth--;
    }
  }
  return false;
}

/**
 * Fastify's JSON parser (which refuses __proto__ and constructor.prototype keys) behind a depth
 * check: a body nested deeper than MAX_JSON_DEPTH is a 400 before it is parsed.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
      done(
        new AppError('request.invalid', [
          { path: '', message: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` },
        ]),
        undefined,
      );
      return;
    }
    parse(request, text, done);
  });
}
