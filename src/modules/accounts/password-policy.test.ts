import { describe, expect, it } from 'vitest';
import { COMMON_PASSWORDS } from './common-passwords.js';
import { checkPasswordPolicy, passwordField } from './password-policy.js';

function problemsOf(password: string, context = {}): string[] {
  const result = checkPasswordPolicy(password, context);
  return result.ok ? [] : result.problems;
}

describe('password policy', () => {
  it('accepts a long passphrase without composition rules', () => {
    expect(checkPasswordPolicy('correct horse battery staple', {})).toEqual({ ok: true });
    expect(checkPasswordPolicy('lowercase only but long enough', {})).toEqual({ ok: true });
  });

  it('rejects common passwords, also with digits and symbols added', () => {
    for (const password of [
      'password1234',
      'Password123!',
      'qwertyuiop12',
      'P@ssw0rd2024!',
      'p4ssw0rd1234',
      'Summer2025!!',
      'iloveyou1234',
      '!!monkey2024!',
      'pass word 1234',
    ]) {
      expect(problemsOf(password), password).toContain(
        'This password is too common. Avoid well-known passwords, even with digits or symbols added.',
      );
    }
  });

  it('rejects passwords shorter than 12 characters, with a sentence', () => {
    expect(problemsOf('Xk9#mq2!vLp')).toEqual(['Use at least 12 characters.']);
    expect(checkPasswordPolicy('Xk9#mq2!vLpR', {})).toEqual({ ok: true });
  });

  it('rejects passwords longer than 128 characters', () => {
    const longest =
      'tall ships sail at dawn while gulls circle over the quiet harbour and old sailors mend nets beside '
        .concat('the lighthouse keepers cottage')
        .slice(0, 128);
    expect([...longest]).toHaveLength(128);
    expect(problemsOf(longest)).toEqual([]);
    expect(problemsOf(`${longest}!`)).toEqual(['Use at most 128 characters.']);
    expect(problemsOf('y'.repeat(100_000))).toEqual(['Use at most 128 characters.']);
  });

  it('counts Unicode code points after NFKC normalisation', () => {
    // Six emoji are 12 UTF-16 units but 6 characters.
    expect(problemsOf('🔐🔑🐙🦊🌵🍕')).toContain('Use at least 12 characters.');
    expect(checkPasswordPolicy('🔐🔑🐙🦊🌵🍕🚲🎲🧭🪁🌊🔥', {})).toEqual({ ok: true });
    expect(problemsOf('🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐')).toEqual([
      'Do not use one character repeated over and over.',
    ]);
    // "e" + combining acute composes to one character under NFKC: 11 characters, not 12.
    expect(problemsOf('cafe\u0301 mx9 pq')).toContain('Use at least 12 characters.');
  });

  it('rejects passwords containing the e-mail local part', () => {
    const context = { email: 'jane.doe+work@example.com' };
    expect(problemsOf('my-jane.doe-is-secure', context)).toContain(
      'Do not use your e-mail address in your password.',
    );
    expect(problemsOf('JANE likes long walks', context)).toContain(
      'Do not use your e-mail address in your password.',
    );
    expect(checkPasswordPolicy('tall ships sail at dawn', context)).toEqual({ ok: true });
    // Short local parts are not a signal.
    expect(checkPasswordPolicy('bob builds bridges daily', { email: 'bob@example.com' })).toEqual({
      ok: true,
    });
  });

  it('rejects passwords containing the trust center name', () => {
    const context = { tenantName: 'Acme Corp' };
    expect(problemsOf('welcome to acme corp!', context)).toContain(
      "Do not use the trust center's name in your password.",
    );
    expect(problemsOf('AcmeCorp-rocks-2024', context)).toContain(
      "Do not use the trust center's name in your password.",
    );
    expect(checkPasswordPolicy('tall ships sail at dawn', context)).toEqual({ ok: true });
  });

  it('rejects repeated characters, repeated patterns and sequences', () => {
    expect(problemsOf('aaaaaaaaaaaaaaa')).toEqual(['Do not use one character repeated over and over.']);
    expect(problemsOf('abcabcabcabc')).toContain('Do not repeat the same short pattern.');
    const sequence = 'Do not use a simple sequence such as "abcdef", "123456" or a row of the keyboard.';
    for (const password of ['123456789012', 'abcdefghijkl', 'LKJIHGFEDCBA', '098765432109', 'qwertyuiopas']) {
      expect(problemsOf(password), password).toContain(sequence);
    }
  });

  it('collects several problems at once', () => {
    expect(problemsOf('password')).toEqual([
      'Use at least 12 characters.',
      'This password is too common. Avoid well-known passwords, even with digits or symbols added.',
    ]);
  });
});

describe('common password list', () => {
  it('holds thousands of lowercase entries, including the classics', () => {
    expect(COMMON_PASSWORDS.size).toBeGreaterThan(3000);
    for (const entry of ['123456', 'password', 'qwerty', 'trustno1', 'p@ssw0rd', 'zaq12wsx', 'summer2024']) {
      expect(COMMON_PASSWORDS.has(entry), entry).toBe(true);
    }
    expect([...COMMON_PASSWORDS].every((entry) => entry === entry.toLowerCase())).toBe(true);
  });
});

describe('passwordField', () => {
  it('keeps spaces and bounds the length', () => {
    expect(passwordField.parse('  spaced out  ')).toBe('  spaced out  ');
    expect(passwordField.safeParse('').success).toBe(false);
    expect(passwordField.safeParse('a'.repeat(1025)).success).toBe(false);
  });
});
