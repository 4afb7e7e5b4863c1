import { withTenant } from '../../../platform/db/tenancy.js';
import { SESSION_COOKIE, sessionCookieAttributes } from '../../../platform/http/session-cookie.js';
import { readSettings } from '../../accounts/settings.service.js';
import { countOpenSessionsBeyond } from '../../sessions/sessions.service.js';
import { type EvidenceCheck, plural } from './check.js';

/**
 * The limits this check holds a trust center's settings to: at most an hour idle and a day in all.
 * The product's defaults (30 minutes, 12 hours) sit well inside; its settings allow up to a day
 * idle and 30 days in all, which a trust center may choose but then cannot claim strict limits.
 */
export const MAX_IDLE_MINUTES = 60;
export const MAX_ABSOLUTE_HOURS = 24;

/**
 * The tenant's own settings (RLS), the attributes the BFF always sets its session cookie with,
 * and the sessions open now: a session keeps the limits it was opened under, so shortening the
 * settings does not end the longer sessions already open. Those are counted, or the settings
 * alone would let a trust center claim limits its open sessions do not keep.
 */
export const sessionLimits: EvidenceCheck = async ({ db, clock, tenantId }) => {
  const now = clock();
  const { settings, beyond } = await withTenant(db, tenantId, async (tx) => {
    const current = await readSettings(tx);
    const beyond = await countOpenSessionsBeyond(
      tx,
      { idleMinutes: current.sessionIdleMinutes, absoluteHours: current.sessionAbsoluteHours },
      now,
    );
    return { settings: current, beyond };
  });
  const cookie = sessionCookieAttributes;
  const cookieOk =
    cookie.httpOnly === true &&
    cookie.secure === true &&
    (cookie.sameSite === 'lax' || cookie.sameSite === 'strict') &&
    SESSION_COOKIE.startsWith('__Host-');
  const facts = {
    idleTimeoutMinutes: settings.sessionIdleMinutes,
    absoluteLifetimeHours: settings.sessionAbsoluteHours,
    secondFactorRequired: settings.requireMfa,
    cookieHttpOnly: cookie.httpOnly,
    cookieSecure: cookie.secure,
    cookieSameSite: cookie.sameSite,
    cookieHostOnly: SESSION_COOKIE.startsWith('__Host-'),
    maxIdleMinutes: MAX_IDLE_MINUTES,
    maxAbsoluteHours: MAX_ABSOLUTE_HOURS,
    openSessionsBeyondSettings: beyond,
  };
  const idleOk = settings.sessionIdleMinutes <= MAX_IDLE_MINUTES;
  const absoluteOk = settings.sessionAbsoluteHours <= MAX_ABSOLUTE_HOURS;
  const limits = `Sessions end after ${settings.sessionIdleMinutes} minutes idle and ${settings.sessionAbsoluteHours} hours at most`;
  const mfa = settings.requireMfa ? 'a second factor is required' : 'a second factor is not required';
  if (!idleOk || !absoluteOk || !cookieOk || beyond > 0) {
    const longer =
      beyond > 0
        ? `; ${plural(beyond, 'open session')} ${beyond === 1 ? 'was' : 'were'} started under longer limits and ${beyond === 1 ? 'keeps them' : 'keep them'}`
        : '';
    return {
      status: 'fail',
      summary: `${limits} (limits checked: ${MAX_IDLE_MINUTES} minutes idle, ${MAX_ABSOLUTE_HOURS} hours)${cookieOk ? '' : '; the session cookie is not HttpOnly, Secure, SameSite and host-only'}${longer}.`,
      facts,
    };
  }
  return {
    status: 'pass',
    summary: `${limits}, within ${MAX_IDLE_MINUTES} minutes and ${MAX_ABSOLUTE_HOURS} hours; ${mfa}; the session cookie is HttpOnly, Secure, SameSite=${cookie.sameSite === 'lax' ? 'Lax' : 'Strict'} and host-only.`,
    facts,
  };
};
