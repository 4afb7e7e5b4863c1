/*
 * Content negotiation shared by the public pages and the API: which encoding a client accepts,
 * and whether its If-None-Match names the representation it would get.
 */

export type Encoding = 'br' | 'gzip' | 'identity';

/** The best encoding the client accepts (br, then gzip), ignoring any it refuses with q=0. */
export function pickEncoding(header: string | undefined): Encoding {
  if (!header) return 'identity';
  const accepted = new Set<string>();
  for (const part of header.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (name && !params.some((param) => /^\s*q=0(\.0*)?\s*$/.test(param))) accepted.add(name.trim());
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip') || accepted.has('*')) return 'gzip';
  return 'identity';
}

/** If-None-Match compared weakly (RFC 9110 §13.1.2): `W/"x"` and `"x"` are the same tag. */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const tag = etag.replace(/^W\//, '');
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === tag);
}
