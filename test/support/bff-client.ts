import { TOTP } from 'otpauth';
import type { App } from '../../src/app.js';
import type { Clock } from '../../src/platform/clock.js';
import { SESSION_COOKIE } from '../../src/platform/http/session-cookie.js';

export const BFF_ORIGIN = 'http://127.0.0.1:3000';

/** The cookies a response sets, by name (value only). */
export function cookiesFrom(response: { headers: Record<string, unknown> }): Record<string, string> {
  const header = response.headers['set-cookie'];
  const lines = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const cookies: Record<string, string> = {};
  for (const line of lines) {
    const [pair] = String(line).split(';');
    const at = pair?.indexOf('=') ?? -1;
    if (pair && at > 0) cookies[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return cookies;
}

/** A browser talking to the BFF of one app: same-origin requests with the cookies it was given. */
export function bffClient(app: () => App) {
  return async function request(
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    options: { cookies?: Record<string, string>; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const cookie = Object.entries(options.cookies ?? {})
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
    return app().server.inject({
      method,
      url,
      headers: { origin: BFF_ORIGIN, ...(cookie ? { cookie } : {}), ...options.headers },
      ...(options.body !== undefined ? { payload: options.body as object } : {}),
    });
  };
}

export const sessionOf = (response: { headers: Record<string, unknown> }) =>
  cookiesFrom(response)[SESSION_COOKIE] ?? '';

/** Turns the second factor on for a signed-in person; returns a code generator and the recovery codes. */
export async function enableTotp(
  request: ReturnType<typeof bffClient>,
  session: string,
  clock: Clock,
): Promise<{ code: () => string; wrongCode: () => string; recovery: string[]; session: string }> {
  const setup = await request('POST', '/bff/mfa/setup', { cookies: { [SESSION_COOKIE]: session } });
  const totp = new TOTP({ secret: setup.json().secret });
  const code = () => totp.generate({ timestamp: clock().getTime() });
  const enabled = await request('POST', '/bff/mfa/enable', {
    cookies: { [SESSION_COOKIE]: session },
    body: { code: code() },
  });
  if (enabled.statusCode !== 200) throw new Error(`enable failed: ${enabled.body}`);
  /** A code that is wrong for every step the server accepts (the current one and its neighbours). */
  const wrongCode = () => {
    const now = clock().getTime();
    const valid = new Set([-30_000, 0, 30_000].map((offset) => totp.generate({ timestamp: now + offset })));
    for (let candidate = 123_456; ; candidate += 1) {
      const text = String(candidate % 1_000_000).padStart(6, '0');
      if (!valid.has(text)) return text;
    }
  };
  return { code, wrongCode, recovery: enabled.json().recoveryCodes, session: sessionOf(enabled) };
}
