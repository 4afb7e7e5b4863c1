import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Paths that must never reach a log line. Logs carry technical ids (request id, tenant id, actor
 * id), never names, e-mail addresses, tokens or secrets; this list is the safety net.
 */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.token',
  '*.secret',
  '*.apiKey',
  '*.totp',
  '*.email',
  '*.sessionToken',
];

/** Keeps the network, drops the host: 203.0.113.77 → 203.0.113.0, 2001:db8:1:2::5 → 2001:db8:1::. */
export function truncateAddress(address: string | undefined): string | undefined {
  if (!address) return address;
  const mapped = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(mapped)) return mapped.replace(/\.\d{1,3}$/, '.0');
  if (mapped.includes(':')) {
    const groups = mapped.split(':').filter((group, index) => index < 3 || group === '');
    return `${groups.slice(0, 3).join(':')}::`;
  }
  return 'unknown';
}

/** JSON lines to stdout, or to `destination` (tests read the lines they assert on). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };

/**
 * What of an unexpected error goes into a log line: its type, database error code and stack
 * frames, and its message with any query parameters cut off (they may hold personal data).
 */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  const cause = (error as { cause?: unknown }).cause;
  const message = error.message.split(/\nparams:/)[0]?.slice(0, 500);
  return {
    type: error.name,
    message,
    code: (error as { code?: unknown }).code ?? (cause as { code?: unknown } | undefined)?.code,
    stack: error.stack?.split('\n').slice(1, 8).join('\n'),
    ...(cause instanceof Error ? { cause: describeError(cause) } : {}),
  };
}
