import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../../platform/clock.js';
import type { Sealer } from '../../platform/crypto/sealing.js';

/** How long a browser stays "seen before" after its last successful sign-in. */
export const DEVICE_PROOF_DAYS = 90;
/** People remembered per browser (a shared office computer); the oldest are forgotten first. */
const MAX_PEOPLE = 8;
const PURPOSE = 'device-proof';

const entries = z
  .array(z.object({ u: z.uuid(), n: z.string().regex(/^[A-Za-z0-9_-]{16}$/), e: z.number().int() }))
  .max(MAX_PEOPLE);
type Entry = z.infer<typeof entries>[number];

/**
 * "This browser signed in as this person before": a value sealed with the master key (so it can
 * be neither read nor forged) that the BFF keeps in an HttpOnly cookie after every successful
 * sign-in. It lets its holder past the limits that an attacker could otherwise trip on purpose to
 * keep a person out (the account's lock, the network's slowdown). Each entry carries a random
 * nonce: failures with a proof count against that nonce, so a copied cookie buys no extra guesses.
 */
export function createDeviceProofs({ sealer, clock }: { sealer: Sealer; clock: Clock }) {
  function open(value: string | undefined): Entry[] {
    if (!value || value.length > 4096) return [];
    try {
      const parsed = entries.safeParse(JSON.parse(sealer.open(value, PURPOSE).toString('utf8')));
      const now = clock().getTime();
      return parsed.success ? parsed.data.filter((entry) => entry.e > now) : [];
    } catch {
      return []; // Tampered, sealed with a retired key, or not ours: no proof.
    }
  }

  return {
    /** The nonce under which this browser knows this person, or null. */
    nonceFor(value: string | undefined, userId: string): string | null {
      return open(value).find((entry) => entry.u === userId)?.n ?? null;
    },

    /** The proof to keep after a successful sign-in: this person (re)added, expiry renewed. */
    issue(value: string | undefined, userId: string): { value: string; expiresAt: Date } {
      const kept = open(value);
      const previous = kept.find((entry) => entry.u === userId);
      const expiresAt = new Date(clock().getTime() + DEVICE_PROOF_DAYS * 86_400_000);
      const next = [
        { u: userId, n: previous?.n ?? randomBytes(12).toString('base64url'), e: expiresAt.getTime() },
        ...kept.filter((entry) => entry.u !== userId),
      ].slice(0, MAX_PEOPLE);
      return { value: sealer.seal(JSON.stringify(next), PURPOSE), expiresAt };
    },
  };
}

export type DeviceProofs = ReturnType<typeof createDeviceProofs>;
