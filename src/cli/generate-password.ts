import { randomInt } from 'node:crypto';

const WORDS_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** A random initial password of 24 characters from an unambiguous alphabet (120 bits). */
export function generatePassword(): string {
  let password = '';
  for (let index = 0; index < 24; index += 1) {
    if (index > 0 && index % 6 === 0) password += '-';
    password += WORDS_ALPHABET[randomInt(WORDS_ALPHABET.length)];
  }
  return password;
}
