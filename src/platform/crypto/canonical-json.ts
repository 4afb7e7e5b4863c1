/**
 * The JSON Canonicalization Scheme (RFC 8785, "JCS"): one byte sequence for one JSON value, so a
 * hash of it means the same to anyone who canonicalises the same value. Object members are sorted
 * by the UTF-16 code units of their names; strings and numbers are written the way ECMAScript's
 * JSON.stringify writes them, which is what the RFC specifies; no whitespace.
 *
 * Written here rather than taken from a package: the scheme is this short for values that are
 * already JSON (the RFC's own reference code is the same idea), and the tests check the RFC's
 * examples. Values JSON cannot hold (a non-finite number, a lone surrogate, a function) are refused
 * rather than silently changed; an object member whose value is `undefined` is absent, as in
 * JSON.stringify.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON holds only finite numbers');
      return JSON.stringify(value);
    case 'string':
      if (LONE_SURROGATE.test(value)) throw new TypeError('canonical JSON holds no lone surrogate');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null)
        throw new TypeError('canonical JSON holds only plain objects and arrays');
      const members = Object.entries(value as Record<string, unknown>)
        .filter(([, member]) => member !== undefined)
        // The default sort compares UTF-16 code units, which is the order RFC 8785 asks for.
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, member]) => `${canonicalJson(name)}:${canonicalJson(member)}`);
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}
