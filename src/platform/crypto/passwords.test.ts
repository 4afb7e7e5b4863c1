import { hash } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import {
  hashPassword,
  MAX_PASSWORD_BYTES,
  needsRehash,
  PASSWORD_HASH_OPTIONS,
  verifyAgainstDummy,
  verifyPassword,
} from './passwords.js';

async function elapsed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function median(run: () => Promise<unknown>, times = 5): Promise<number> {
  const samples: number[] = [];
  for (let index = 0; index < times; index++) samples.push(await elapsed(run));
  samples.sort((a, b) => a - b);
  return samples[Math.floor(times / 2)] ?? 0;
}

describe('passwords', () => {
  it('hashes with argon2id and the OWASP parameters, and verifies the same password', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(stored, 'correct horse battery staple')).toBe(true);
    expect(needsRehash(stored)).toBe(false);
  });

  it('salts: the same password hashes differently each time', async () => {
    expect(await hashPassword('same password twice')).not.toBe(await hashPassword('same password twice'));
  });

  it('refuses a wrong password', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(await verifyPassword(stored, 'correct horse battery stapler')).toBe(false);
    expect(await verifyPassword(stored, '')).toBe(false);
  });

  it('matches Unicode-equivalent spellings (NFKC)', async () => {
    const stored = await hashPassword('caf\u00e9 au lait tous les jours');
    expect(await verifyPassword(stored, 'cafe\u0301 au lait tous les jours')).toBe(true);
  });

  it('returns false instead of throwing on a malformed hash', async () => {
    for (const malformed of [
      '',
      'not a hash',
      '$argon2id$v=19$m=19456,t=2,p=1$bad',
      '$2b$10$abcdefghijklmnopqrstuv',
    ]) {
      await expect(verifyPassword(malformed, 'whatever password')).resolves.toBe(false);
    }
  });

  it('refuses inputs over 1024 UTF-8 bytes before hashing', async () => {
    const stored = await hashPassword('a reasonable password');
    const tooLong = 'a'.repeat(MAX_PASSWORD_BYTES + 1);
    // 342 three-byte characters: 342 UTF-16 units, but 1026 bytes.
    const tooManyBytes = '\u20ac'.repeat(342);
    await expect(hashPassword(tooLong)).rejects.toThrow(/1024 bytes/);
    await expect(hashPassword(tooManyBytes)).rejects.toThrow(RangeError);
    expect(await verifyPassword(stored, tooLong)).toBe(false);
    expect(await verifyAgainstDummy(tooLong)).toBe(false);
    await expect(hashPassword('a'.repeat(MAX_PASSWORD_BYTES))).resolves.toMatch(/^\$argon2id\$/);
  });

  it('flags hashes made with weaker parameters for rehashing', async () => {
    const weaker = await hash('old password', { ...PASSWORD_HASH_OPTIONS, memoryCost: 4096, timeCost: 1 });
    const argon2i = await hash('old password', { ...PASSWORD_HASH_OPTIONS, algorithm: 1 as never });
    expect(needsRehash(weaker)).toBe(true);
    expect(needsRehash(argon2i)).toBe(true);
    expect(needsRehash('not a hash')).toBe(true);
    expect(await verifyPassword(weaker, 'old password')).toBe(true);
  });

  it('the dummy verification always fails and costs about as much as a real one', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(await verifyAgainstDummy('correct horse battery staple')).toBe(false);
    expect(await verifyAgainstDummy('')).toBe(false);

    await verifyPassword(stored, 'warm-up');
    const real = await median(() => verifyPassword(stored, 'wrong password guess'));
    const dummy = await median(() => verifyAgainstDummy('wrong password guess'));
    expect(dummy).toBeGreaterThan(real * 0.3);
    expect(dummy).toBeLessThan(real * 5);
  });
});
