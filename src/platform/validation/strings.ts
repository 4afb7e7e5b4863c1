import { z } from 'zod';

/** A trimmed string with a length bound: every string that enters Attest goes through one of these. */
export function text(max: number, min = 0) {
  return z.string().trim().min(min).max(max);
}

/** A one-line string: no control characters or line breaks (names, titles, headers). */
export function line(max: number, min = 1) {
  return text(max, min).regex(/^[^\p{Cc}]*$/u, 'must be a single line without control characters');
}

/** Free text that may span lines but holds no other control characters. */
export function prose(max: number, min = 0) {
  return text(max, min).regex(/^(?:[^\p{Cc}]|[\t\n\r])*$/u, 'must not contain control characters');
}

/** Stable, URL-safe identifier of a content item inside a tenant. */
export const itemKey = z
  .string()
  .trim()
  .min(1)
  .max(80)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and dashes');

/** A tenant's slug: the `demo` in /t/demo. Mirrors the database check. */
export const tenantSlug = z
  .string()
  .trim()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be lowercase letters, digits and inner dashes');

export const isoDate = z.iso.date();

export const httpUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' || url.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

/** Turns a human title into an item key: "Encryption at Rest" → "encryption-at-rest". */
export function keyFromTitle(title: string): string {
  const key = title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
  return key || 'item';
}

/**
 * The PATCH form of an input schema: every field optional and, unlike `.partial()`, without the
 * defaults, so a field the client left out stays as it is instead of being reset.
 */
export function patchOf<Schema extends z.ZodObject>(schema: Schema): ReturnType<Schema['partial']> {
  const shape = Object.fromEntries(
    Object.entries(schema.shape).map(([name, field]) => {
      const inner = field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : (field as z.ZodType);
      return [name, inner.optional()];
    }),
  );
  return z.object(shape) as unknown as ReturnType<Schema['partial']>;
}
