import { z } from 'zod';
import { itemKey, line } from '../../platform/validation/strings.js';

/**
 * Checks a tenant defines of its own hosts (issue "Every claim backed"): the worker probes them on
 * their schedule through the SSRF guard (src/platform/net/safe-connect.ts) and keeps the latest
 * result; uptime probes also keep a 90-day history behind the public status section.
 * Summaries and facts are public like the built-in checks': counts, versions and dates, never an
 * address. The target itself is shown only in the console.
 */
export const hostCheckKinds = ['tls-endpoint', 'http-headers', 'ssh-auth', 'dns', 'http-uptime'] as const;
export type HostCheckKind = (typeof hostCheckKinds)[number];

export const hostCheckStatuses = ['pass', 'fail', 'error'] as const;
export type HostCheckStatus = (typeof hostCheckStatuses)[number];

/** What each kind looks at, in words a reviewer can verify (the console and the status page show it). */
export const hostCheckDescriptions: Record<HostCheckKind, string> = {
  'tls-endpoint':
    'Each TLS version is tried on its own: TLS 1.3 must be offered, TLS 1.2 only if allowed, nothing older. The certificate chain must be valid for the name and expire in no less than 21 days, and the HTTPS answer must carry HSTS.',
  'http-headers':
    'One GET of the URL (redirects are not followed): HSTS of at least a year over HTTPS, a Content-Security-Policy, framing forbidden (frame-ancestors or X-Frame-Options), nosniff and a Referrer-Policy.',
  'ssh-auth':
    'The SSH server is asked which authentication methods it accepts: only publickey may be offered, never password or keyboard-interactive.',
  dns: 'The domain publishes an SPF record, a DMARC policy of quarantine or reject, a CAA record, and its answers are DNSSEC-validated (AD flag) by the resolver.',
  'http-uptime':
    'A GET of the URL every minute: up when it answers below 400 within 10 seconds. Availability over 30 and 90 days against the target.',
};

/** How the public pages name each kind, e.g. "Host check: TLS endpoint — Portal". */
export const hostCheckKindLabels: Record<HostCheckKind, string> = {
  'tls-endpoint': 'TLS endpoint',
  'http-headers': 'HTTP headers',
  'ssh-auth': 'SSH authentication',
  dns: 'DNS',
  'http-uptime': 'HTTP uptime',
};

/**
 * A host check as live evidence of the published controls it names (decision 0028): by name and
 * kind only, never its target. `failingSince` is set while its latest result is 'fail' or 'error'.
 */
export interface HostCheckEvidence {
  name: string;
  kind: HostCheckKind;
  /** The keys of the published controls it backs (only those the snapshot has). */
  controls: readonly string[];
  status: HostCheckStatus | 'pending';
  failingSince: string | null;
}

export const MAX_HOST_CHECKS = 50;
export const UPTIME_TARGET_PERCENT = 99.5;
export const UPTIME_HISTORY_DAYS = 90;
/** Minutes between runs when the request names none: uptime every minute, the rest hourly. */
export const DEFAULT_EVERY_MINUTES: Record<HostCheckKind, number> = {
  'tls-endpoint': 60,
  'http-headers': 60,
  'ssh-auth': 60,
  dns: 60,
  'http-uptime': 1,
};

/*
 * The contract is shared with the console (it runs in the browser), so names and addresses are
 * told apart with patterns here; the guard parses addresses exactly before anything connects.
 */
const DNS_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6 = /^(?=.*:)[0-9a-f:]{2,39}(?::(?:\d{1,3}\.){3}\d{1,3})?$/i;

export function isHostName(value: string): boolean {
  return DNS_NAME.test(value) || IPV4.test(value) || IPV6.test(value);
}

const hostName = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(253)
  .refine(isHostName, 'must be a host name or an IP address');

const webUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (
        (url.protocol === 'https:' || url.protocol === 'http:') &&
        !url.username &&
        !url.password &&
        isHostName(url.hostname.replace(/^\[|\]$/g, ''))
      );
    } catch {
      return false;
    }
  }, 'must be an http(s) URL with a host name and no credentials');

const port = z.number().int().min(1).max(65535);
const common = {
  name: line(80),
  everyMinutes: z.number().int().min(1).max(1440).optional(),
  /** The keys of the controls this check backs. */
  controls: z
    .array(itemKey)
    .max(20)
    .refine((keys) => new Set(keys).size === keys.length, 'each control at most once')
    .default([]),
};

export const tlsEndpointOptions = z
  .object({ port: port.default(443), allowTls12: z.boolean().default(false) })
  .strict();
export const httpHeadersOptions = z.object({}).strict();
export const sshAuthOptions = z.object({ port: port.default(22) }).strict();
export const dnsOptions = z.object({}).strict();
export const httpUptimeOptions = z
  .object({ targetPercent: z.number().min(50).max(100).default(UPTIME_TARGET_PERCENT) })
  .strict();

export const createHostCheckInput = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.enum(['tls-endpoint']),
      target: hostName,
      options: tlsEndpointOptions.default({ port: 443, allowTls12: false }),
      ...common,
    })
    .strict(),
  z
    .object({
      kind: z.enum(['http-headers']),
      target: webUrl,
      options: httpHeadersOptions.default({}),
      ...common,
    })
    .strict(),
  z
    .object({
      kind: z.enum(['ssh-auth']),
      target: hostName,
      options: sshAuthOptions.default({ port: 22 }),
      ...common,
    })
    .strict(),
  z.object({ kind: z.enum(['dns']), target: hostName, options: dnsOptions.default({}), ...common }).strict(),
  z
    .object({
      kind: z.enum(['http-uptime']),
      target: webUrl,
      options: httpUptimeOptions.default({ targetPercent: UPTIME_TARGET_PERCENT }),
      ...common,
    })
    .strict(),
]);
export type CreateHostCheckInput = z.input<typeof createHostCheckInput>;
export type HostCheckDefinition = z.infer<typeof createHostCheckInput>;

const facts = z.record(z.string(), z.union([z.number(), z.string(), z.boolean()]));

export const hostCheckResult = z.object({
  status: z.enum(hostCheckStatuses),
  summary: z.string().max(300),
  facts,
  checkedAt: z.iso.datetime(),
  durationMs: z.number().int().min(0),
});
export type HostCheckResult = z.infer<typeof hostCheckResult>;

/** Availability of an uptime check: percentages over the window (null: no probe in it yet). */
export const availability = z.object({
  targetPercent: z.number(),
  last30Days: z.number().nullable(),
  last90Days: z.number().nullable(),
  probes30Days: z.number().int(),
  probes90Days: z.number().int(),
});
export type Availability = z.infer<typeof availability>;

export const hostCheckView = z.object({
  id: z.uuid(),
  kind: z.enum(hostCheckKinds),
  name: z.string(),
  target: z.string(),
  options: z.record(z.string(), z.union([z.number(), z.boolean()])),
  everyMinutes: z.number().int(),
  controls: z.array(z.string()),
  checks: z.string(),
  createdAt: z.iso.datetime(),
  nextRunAt: z.iso.datetime(),
  latest: hostCheckResult.nullable(),
  availability: availability.nullable(),
});
export type HostCheckView = z.infer<typeof hostCheckView>;

export const hostCheckList = z.object({ items: z.array(hostCheckView) });

/** The public status section: uptime checks by name, their availability and latest result. */
export const publicStatus = z.object({
  items: z.array(
    z.object({
      name: z.string(),
      status: z.enum([...hostCheckStatuses, 'pending']),
      checkedAt: z.iso.datetime().nullable(),
      availability: availability,
      /** Titles of the published controls the check backs. */
      controls: z.array(z.object({ title: z.string() })),
    }),
  ),
});
export type PublicStatus = z.infer<typeof publicStatus>;
