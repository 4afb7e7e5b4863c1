import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

/** One file part as a route's body holds it (documents.contract.ts `uploadedFile`). */
export interface UploadedPart {
  filename: string;
  data: Buffer;
}

/**
 * The form's fields as plain values and its file part as `{ filename, data }`; a name sent twice
 * becomes a list (which the route's schema refuses), as @fastify/multipart's "keyValues" does.
 */
async function readForm(request: FastifyRequest): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = {};
  const add = (name: string, value: unknown) => {
    // The plugin already refuses these names; a plain object must never be handed one.
    if (name in Object.prototype)
      throw new AppError('request.invalid', [{ path: name, message: 'not a field name' }]);
    const present = body[name];
    body[name] =
      present === undefined ? value : Array.isArray(present) ? [...present, value] : [present, value];
  };
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      const file: UploadedPart = { filename: part.filename, data: await part.toBuffer() };
      add(part.fieldname, file);
    } else {
      add(part.fieldname, part.value);
    }
  }
  return body;
}

/**
 * Uploads for the routes of `scope`: one file part, buffered up to the limit (beyond it: 413),
 * fields as plain values. The form is read here rather than by the plugin's `attachFieldsToBody`
 * so that a body the parser cannot read (no boundary, a bad one, a truncated or garbled form) is
 * the client's 400: the parser reports those as plain errors, which would otherwise be a 500.
 * The plugin's own errors (limits, prototype keys) keep their status.
 */
export async function registerMultipartUploads(
  scope: FastifyInstance,
  { maxUploadBytes }: { maxUploadBytes: number },
): Promise<void> {
  await scope.register(multipart, {
    // The whole name as sent: a name that climbs directories ("../x") is refused, not quietly cut.
    preservePath: true,
    limits: {
      fileSize: maxUploadBytes,
      files: 1,
      fields: 10,
      fieldSize: 10_000,
      parts: 12,
      headerPairs: 50,
    },
  });
  scope.addHook('preValidation', async (request) => {
    if (!request.isMultipart()) return;
    try {
      request.body = await readForm(request);
    } catch (error) {
      if (typeof (error as { statusCode?: unknown }).statusCode === 'number') throw error;
      throw new AppError('request.invalid', [
        { path: '', message: 'not a readable multipart/form-data body' },
      ]);
    }
  });
}
