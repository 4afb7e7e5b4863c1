/** The largest `details` an event may carry, as UTF-8 JSON. */
export const maxDetailsBytes = 4096;

/*
 * Keys and values that suggest personal data or a secret. The audit log can never be edited, so
 * something written by mistake could not be erased later (not even on a GDPR request): refusing it
 * at write time is the only place to catch it. This is a safety net, not the rule; the rule is that
 * callers pass technical ids only.
 */
const forbiddenKey = /password|passphrase|secret|token|e-?mail|recovery_?code|private_?key|credential/i;
const emailShaped = /[^\s@]+@[^\s@]+\.[^\s@]+/;
// With the u flag this matches only unpaired surrogates, which jsonb refuses.
const unpairedSurrogate = /[\uD800-\uDFFF]/u;

function checkString(value: string, path: string): void {
  if (value.includes('\u0000') || unpairedSurrogate.test(value)) {
    throw new Error(`audit details ${path}: a NUL character or unpaired surrogate cannot be stored`);
  }
  if (emailShaped.test(value)) throw new Error(`audit details ${path}: looks like an e-mail address`);
}

function check(value: unknown, path: string): void {
  if (typeof value === 'string') {
    checkString(value, path);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => {
      check(item, `${path}[${index}]`);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      checkString(key, path);
      if (forbiddenKey.test(key)) {
        throw new Error(`audit details ${path}.${key}: may hold a secret or personal data`);
      }
      check(item, `${path}.${key}`);
    }
  }
}

/**
 * Returns `details` as it will read back from jsonb (a JSON round trip: Dates become strings,
 * undefined members disappear), or throws when it is too large or holds what the log must not.
 * These are programming errors of the caller, so they are plain Errors (a 500), not AppErrors.
 */
export function normalizeDetails(details: Record<string, unknown> | undefined): Record<string, unknown> {
  if (details === undefined) return {};
  const json = JSON.stringify(details);
  if (json === undefined || !json.startsWith('{')) throw new Error('audit details must be a JSON object');
  if (Buffer.byteLength(json, 'utf8') > maxDetailsBytes) {
    throw new Error(`audit details exceed ${maxDetailsBytes} bytes`);
  }
  const normalized = JSON.parse(json) as Record<string, unknown>;
  check(normalized, 'details');
  return normalized;
}
