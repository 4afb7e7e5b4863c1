import { z } from 'zod';
import { COMMON_PASSWORDS } from './common-passwords.js';

/**
 * Password rules after NIST SP 800-63B rev. 4 and OWASP ASVS 5: length matters, composition rules
 * ("one digit, one symbol") do not, and known-bad or guessable values are refused. Lengths count
 * Unicode code points after NFKC normalisation, so an emoji or an accented letter is one character.
 */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;

/**
 * For request contracts. Not trimmed: spaces are part of a passphrase. The bound is generous (the
 * policy allows 128 characters) and only keeps absurd bodies away from hashing; see passwords.ts.
 */
export const passwordField = z.string().min(1).max(1024);

export interface PasswordContext {
  email?: string;
  tenantName?: string;
}

export type PasswordPolicyResult = { ok: true } | { ok: false; problems: string[] };

const PROBLEMS = {
  tooShort: `Use at least ${MIN_PASSWORD_LENGTH} characters.`,
  tooLong: `Use at most ${MAX_PASSWORD_LENGTH} characters.`,
  repeatedCharacter: 'Do not use one character repeated over and over.',
  repeatedPattern: 'Do not repeat the same short pattern.',
  sequence: 'Do not use a simple sequence such as "abcdef", "123456" or a row of the keyboard.',
  common: 'This password is too common. Avoid well-known passwords, even with digits or symbols added.',
  email: 'Do not use your e-mail address in your password.',
  tenantName: "Do not use the trust center's name in your password.",
} as const;

/** Digits and symbols people put around a weak word to pass composition rules. */
const DECORATION_AT_ENDS = /^[\p{N}\p{P}\p{S}\s]+|[\p{N}\p{P}\p{S}\s]+$/gu;
const KEYBOARD_ROWS = '1234567890qwertyuiopasdfghjklzxcvbnm';
const LEET_BASE: Record<string, string> = {
  '@': 'a',
  '4': 'a',
  '3': 'e',
  '0': 'o',
  $: 's',
  '5': 's',
  '7': 't',
};

export function checkPasswordPolicy(password: string, context: PasswordContext = {}): PasswordPolicyResult {
  // A string this long cannot fit in 128 code points, whatever normalisation does; skip the work.
  if (password.length > MAX_PASSWORD_LENGTH * 8) return { ok: false, problems: [PROBLEMS.tooLong] };

  const normalized = password.normalize('NFKC');
  const characters = [...normalized];
  if (characters.length > MAX_PASSWORD_LENGTH) return { ok: false, problems: [PROBLEMS.tooLong] };

  const problems: string[] = [];
  if (characters.length < MIN_PASSWORD_LENGTH) problems.push(PROBLEMS.tooShort);

  const lower = normalized.toLowerCase();
  const lowerCharacters = [...lower];
  if (lowerCharacters.length > 1 && new Set(lowerCharacters).size === 1) {
    problems.push(PROBLEMS.repeatedCharacter);
  } else if (hasRepeatedPattern(lowerCharacters)) {
    problems.push(PROBLEMS.repeatedPattern);
  }
  if (isSequence(lowerCharacters)) problems.push(PROBLEMS.sequence);
  if (isCommon(lower)) problems.push(PROBLEMS.common);
  if (containsEmail(lower, context.email)) problems.push(PROBLEMS.email);
  if (containsTenantName(lower, context.tenantName)) problems.push(PROBLEMS.tenantName);

  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}

/** "abcabcabcabc", "hunter2hunter2": the whole password is one shorter unit, repeated. */
function hasRepeatedPattern(characters: string[]): boolean {
  const length = characters.length;
  for (let unit = 1; unit <= length / 2; unit++) {
    if (length % unit !== 0) continue;
    if (characters.every((character, index) => character === characters[index % unit])) return true;
  }
  return false;
}

/**
 * Ascending or descending runs of letters or digits ("abcdefghijkl", "123456789012": digits and
 * letters wrap around) and walks along the keyboard rows ("qwertyuiopas").
 */
function isSequence(characters: string[]): boolean {
  if (characters.length < 3) return false;
  const text = characters.join('');
  if (KEYBOARD_ROWS.includes(text) || [...KEYBOARD_ROWS].reverse().join('').includes(text)) return true;
  return isAlphabetRun(characters, 1) || isAlphabetRun(characters, -1);
}

function isAlphabetRun(characters: string[], step: 1 | -1): boolean {
  for (let index = 1; index < characters.length; index++) {
    const previous = characters[index - 1] ?? '';
    const current = characters[index] ?? '';
    if (nextInAlphabet(previous, step) !== current) return false;
  }
  return true;
}

function nextInAlphabet(character: string, step: 1 | -1): string | null {
  const alphabet = /^[0-9]$/.test(character)
    ? '0123456789'
    : /^[a-z]$/.test(character)
      ? 'abcdefghijklmnopqrstuvwxyz'
      : null;
  if (alphabet === null) return null;
  const position = alphabet.indexOf(character);
  return alphabet[(position + step + alphabet.length) % alphabet.length] ?? null;
}

/**
 * On the list as typed, or once the digits and symbols around it are stripped ("Password123!"),
 * spaces are dropped ("pass word") or common letter substitutions are undone ("p4ssw0rd").
 */
function isCommon(lower: string): boolean {
  if (COMMON_PASSWORDS.has(lower)) return true;
  const core = lower.replace(DECORATION_AT_ENDS, '');
  const candidates = new Set([core, core.replace(/\s+/g, '')]);
  for (const candidate of [...candidates]) {
    candidates.add(undoLeet(candidate, 'i'));
    candidates.add(undoLeet(candidate, 'l'));
  }
  for (const candidate of candidates) {
    if (candidate.length > 0 && COMMON_PASSWORDS.has(candidate)) return true;
  }
  return false;
}

function undoLeet(text: string, one: 'i' | 'l'): string {
  return [...text]
    .map((character) => (character === '1' || character === '!' ? one : (LEET_BASE[character] ?? character)))
    .join('');
}

/**
 * The local part of the address without its "+tag", and each of its parts ("jane.doe" gives "jane"),
 * when four characters or longer.
 */
function containsEmail(lower: string, email: string | undefined): boolean {
  if (!email) return false;
  const localPart = (email.normalize('NFKC').toLowerCase().split('@')[0] ?? '').split('+')[0] ?? '';
  const fragments = [localPart, ...localPart.split(/[._-]+/)].filter((fragment) => [...fragment].length >= 4);
  const compact = lower.replace(/\s+/g, '');
  return fragments.some((fragment) => lower.includes(fragment) || compact.includes(fragment));
}

/** The name as written, and without its spaces and punctuation ("Acme Corp" in "acmecorp2024"). */
function containsTenantName(lower: string, tenantName: string | undefined): boolean {
  if (!tenantName) return false;
  const name = tenantName.normalize('NFKC').toLowerCase().trim();
  const compactName = name.replace(/[\s\p{P}\p{S}]+/gu, '');
  const compactPassword = lower.replace(/[\s\p{P}\p{S}]+/gu, '');
  // Names under three characters ("HP", "3M") would forbid too many passwords to be useful.
  if ([...compactName].length < 3) return false;
  return lower.includes(name) || compactPassword.includes(compactName);
}
