import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Encoding, matchesEtag, pickEncoding } from './negotiation.js';

/** Below this a body is sent as it is: compressing it saves less than the header it costs. */
export const COMPRESSION_THRESHOLD_BYTES = 1024;

/*
 * Brotli 4 and gzip 3: on a 67 KB list, brotli 4 is 4 % larger than 5 or 6 at a third of their
 * time (about 0.3 ms), and gzip 3 is 5 % larger than level 6 at half its time (decision 0021).
 */
const BROTLI_OPTIONS: zlib.BrotliOptions = {
  params: {
    [zlib.constants.BROTLI_PARAM_QUALITY]: 4,
    [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
  },
};
const GZIP_OPTIONS: zlib.ZlibOptions = { level: 3 };

/** A JSON body that is already serialized (the hot lists come out of PostgreSQL as text): sent as is. */
export class JsonText {
  constructor(readonly text: string) {}
}

/**
 * The tag of one representation: a hash of the body and of its scope (the tenant and the URL), so
 * two tenants' lists, or two pages of one list, never share a tag even when their bodies are
 * equal. Weak, because the same tag stands for the body in every content encoding.
 */
export function entityTag(scope: string, body: string): string {
  return `W/"${createHash('sha256').update(scope).update('\n').update(body).digest('base64url').slice(0, 27)}"`;
}

/**
 * Compressed bodies by tag and encoding, least recently used first out, within a byte budget. A
 * tag is a hash of the exact body, so an entry can only ever be the answer to that same body:
 * a list read again unchanged (what polling clients do) is not compressed again.
 */
export function createCompressedBodies(maxBytes: number) {
  const entries = new Map<string, Buffer>();
  let bytes = 0;
  return {
    get(key: string, make: () => Buffer): Buffer {
      const hit = entries.get(key);
      if (hit) {
        entries.delete(key);
        entries.set(key, hit);
        return hit;
      }
      const made = make();
      if (made.length > maxBytes) return made;
      entries.set(key, made);
      bytes += made.length;
      for (const [oldest, body] of entries) {
        if (bytes <= maxBytes) break;
        entries.delete(oldest);
        bytes -= body.length;
      }
      return made;
    },
    get size() {
      return entries.size;
    },
  };
}

export type CompressedBodies = ReturnType<typeof createCompressedBodies>;

function compress(body: string, encoding: Exclude<Encoding, 'identity'>): Buffer {
  return encoding === 'br'
    ? zlib.brotliCompressSync(body, BROTLI_OPTIONS)
    : zlib.gzipSync(body, GZIP_OPTIONS);
}

/**
 * Sends a JSON body: compressed when the client accepts br or gzip and the body is large enough
 * (Vary says so on every body that large, whatever this client accepted), and with an ETag when
 * `scope` is given, answering 304 without a body when the client's If-None-Match names it.
 */
export function sendJson(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  body: string,
  { scope, compressed }: { scope?: string; compressed?: CompressedBodies } = {},
): FastifyReply {
  reply.header('content-type', 'application/json; charset=utf-8');
  const large = body.length >= COMPRESSION_THRESHOLD_BYTES;
  if (large) reply.header('vary', 'Accept-Encoding');
  const tag = scope === undefined ? undefined : entityTag(scope, body);
  if (tag) {
    reply.header('etag', tag);
    if (matchesEtag(request.headers['if-none-match'], tag)) return reply.code(304).send();
  }
  const encoding = large ? pickEncoding(request.headers['accept-encoding']) : 'identity';
  reply.code(status);
  if (encoding === 'identity') return reply.send(body);
  const payload =
    tag && compressed
      ? compressed.get(`${encoding}:${tag}`, () => compress(body, encoding))
      : compress(body, encoding);
  return reply.header('content-encoding', encoding).send(payload);
}
