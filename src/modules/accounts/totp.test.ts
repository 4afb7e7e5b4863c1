import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import {
  generateRecoveryCodes,
  generateTotpSecret,
  hashRecoveryCode,
  normalizeRecoveryCode,
  totpUri,
  verifyTotp,
} from './totp.js';

const STEP_MS = 30_000;

function codeAt(secret: string, timestamp: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), timestamp });
}

describe('totp', () => {
  const now = 1_750_000_000_000;

  it('generates a 20-byte base32 secret', () => {
    const secret = generateTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(Secret.fromBase32(secret).bytes).toHaveLength(20);
    expect(generateTotpSecret()).not.toBe(secret);
  });

  it('builds the URI authenticator apps expect', () => {
    const uri = new URL(
      totpUri({ secret: 'JBSWY3DPEHPK3PXP', accountName: 'jane@example.com', issuer: 'Attest' }),
    );
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Attest:jane@example.com');
    expect(uri.searchParams.get('secret')).toBe('JBSWY3DPEHPK3PXP');
    expect(uri.searchParams.get('issuer')).toBe('Attest');
    expect(uri.searchParams.get('algorithm')).toBe('SHA1');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
  });

  it('accepts the current code and returns its time step', () => {
    const secret = generateTotpSecret();
    const step = Math.floor(now / STEP_MS);
    expect(verifyTotp(secret, codeAt(secret, now), now)).toBe(step);
    const code = codeAt(secret, now);
    expect(verifyTotp(secret, ` ${code.slice(0, 3)} ${code.slice(3)} `, now)).toBe(step);
  });

  it('uses Date.now() by default', () => {
    const secret = generateTotpSecret();
    expect(verifyTotp(secret, codeAt(secret, Date.now()))).not.toBeNull();
  });

  it('accepts the previous and next step within window 1, returning their own steps', () => {
    const secret = generateTotpSecret();
    const step = Math.floor(now / STEP_MS);
    expect(verifyTotp(secret, codeAt(secret, now - STEP_MS), now)).toBe(step - 1);
    expect(verifyTotp(secret, codeAt(secret, now + STEP_MS), now)).toBe(step + 1);
    expect(verifyTotp(secret, codeAt(secret, now - STEP_MS), now, 0)).toBeNull();
  });

  it('refuses a code three steps old', () => {
    const secret = generateTotpSecret();
    expect(verifyTotp(secret, codeAt(secret, now - 3 * STEP_MS), now)).toBeNull();
  });

  it('refuses malformed codes', () => {
    const secret = generateTotpSecret();
    for (const code of ['', '12345', '1234567', 'abcdef', '12345a', '１２３４５６', '123-456', '+12345']) {
      expect(verifyTotp(secret, code, now), code).toBeNull();
    }
  });
});

describe('recovery codes', () => {
  it('are unique and formatted xxxx-xxxx-xxxx from an unambiguous alphabet', () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) {
      expect(code).toMatch(/^[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}$/);
      expect(code).not.toMatch(/[01lo]/);
    }
    expect(generateRecoveryCodes(3)).toHaveLength(3);
    expect(() => generateRecoveryCodes(0)).toThrow(RangeError);
  });

  it('spread over the whole alphabet (about 60 bits each)', () => {
    const symbols = new Set(generateRecoveryCodes(100).join('').replaceAll('-', ''));
    expect(symbols.size).toBe(32);
  });

  it('normalise and hash the same whatever the case, spaces or dashes', () => {
    const [code = ''] = generateRecoveryCodes(1);
    const compact = code.replaceAll('-', '');
    expect(normalizeRecoveryCode(code)).toBe(compact);
    const variants = [
      code,
      code.toUpperCase(),
      ` ${compact} `,
      code.replaceAll('-', ' '),
      code.replaceAll('-', '\u2013'),
    ];
    for (const variant of variants) {
      expect(hashRecoveryCode(variant), variant).toBe(hashRecoveryCode(code));
    }
    expect(hashRecoveryCode(code)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRecoveryCode(code)).not.toBe(hashRecoveryCode(generateRecoveryCodes(1)[0] ?? ''));
  });
});
