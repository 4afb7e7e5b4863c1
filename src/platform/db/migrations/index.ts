import * as foundation from './0001-foundation.js';
import * as identity from './0002-identity.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Every migration, in order. Applied ones must never change: their checksum is verified on start. */
export const migrations: readonly Migration[] = [
  { version: 1, name: 'foundation', sql: foundation.sql },
  { version: 2, name: 'identity', sql: identity.sql },
];
