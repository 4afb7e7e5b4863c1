import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Permission, permissions } from '../../src/platform/auth/context.js';
import { createTokenService } from '../../src/platform/auth/jwt.js';
import { builtInRoles } from '../../src/platform/auth/roles.js';
import { API_PREFIX, type ApiRoute } from '../../src/platform/http/api-route.js';
import {
  bodyOf,
  buildMatrixWorld,
  ISSUER,
  type MatrixWorld,
  MultipartPayload,
  objectOf,
  pathOf,
  replacesDraft,
  routeKey,
  stateOf,
} from '../support/api-fixtures.js';
import { testDatabaseKinds } from '../support/databases.js';

/*
 * Every /api/v1 route (enumerated from app.apiRoutes, never listed here) crossed with every kind of
 * caller: nobody, tenant B, tenant A without the route's permission, and broken credentials.
 * Another tenant's object is a 404 and another tenant's data never appears in an answer.
 * Each case collects its failures, so one run reports every broken route at once.
 */

const FIVE_MINUTES_AND_SKEW_MS = (300 + 30 + 5) * 1000;
const DAY_MS = 86_400_000;

function bearer(token: string): string {
  return `Bearer ${token}`;
}

function segments(token: string): [string, string, string] {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return [header, payload, signature];
}

function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeJson(segment: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** A different base64url character at the middle of the payload: same length, other bits. */
function flipPayloadCharacter(token: string): string {
  const [header, payload, signature] = segments(token);
  const at = Math.floor(payload.length / 2);
  const flipped = payload[at] === 'A' ? 'B' : 'A';
  return `${header}.${payload.slice(0, at)}${flipped}${payload.slice(at + 1)}.${signature}`;
}

async function send(world: MatrixWorld, route: ApiRoute, authorization?: string) {
  const factory = bodyOf[routeKey(route)];
  const payload = route.body && factory ? await factory(world) : undefined;
  if (payload instanceof MultipartPayload) {
    return world.app.server.inject({
      method: route.method,
      url: `${API_PREFIX}${pathOf(route, world)}`,
      headers: { ...(authorization ? { authorization } : {}), ...payload.headers },
      payload: payload.payload,
    });
  }
  return world.app.server.inject({
    method: route.method,
    url: `${API_PREFIX}${pathOf(route, world)}`,
    headers: authorization ? { authorization } : {},
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
}

function leakedMarkers(world: MatrixWorld, body: string): string[] {
  return world.a.markers.filter((marker) => body.includes(marker));
}

describe.each(testDatabaseKinds)('API isolation matrix on $name', (kind) => {
  let world: MatrixWorld;
  let routes: readonly ApiRoute[];

  async function mintForA(granted: readonly Permission[]): Promise<string> {
    return world.app.tokens.mint({
      subject: world.a.ownerId,
      tenantId: world.a.id,
      permissions: [...granted],
    });
  }

  /** Calls every route once per credential and expects `status`; returns one message per mismatch. */
  async function expectStatus(credentials: Record<string, string>, status: number): Promise<string[]> {
    const failures: string[] = [];
    for (const route of routes) {
      for (const [label, authorization] of Object.entries(credentials)) {
        const response = await send(world, route, authorization);
        if (response.statusCode !== status) {
          failures.push(`${routeKey(route)} with ${label}: ${response.statusCode}, expected ${status}`);
        }
      }
    }
    return failures;
  }

  beforeAll(async () => {
    world = await buildMatrixWorld(kind);
    routes = world.app.apiRoutes;
  }, 120_000);

  afterAll(async () => {
    await world?.app.close();
  });

  it('knows how to call every route: a body for each route with one, an A object for each object route', () => {
    expect(routes.length).toBeGreaterThan(20);
    const problems: string[] = [];
    const known = new Set(routes.map(routeKey));
    for (const route of routes) {
      const key = routeKey(route);
      if (route.body && !bodyOf[key]) {
        problems.push(`${key} takes a body but has no factory in bodyOf (test/support/api-fixtures.ts)`);
      }
      if (!route.body && bodyOf[key]) problems.push(`${key} takes no body but bodyOf has a factory for it`);
      if (route.objectParam && !route.url.includes(`:${route.objectParam}`)) {
        problems.push(`${key} declares objectParam "${route.objectParam}" that is not in its path`);
      }
      if (/:[A-Za-z]/.test(route.url) && !route.objectParam) {
        problems.push(`${key} has a path parameter but no objectParam: the 404 crossing cannot cover it`);
      }
      try {
        pathOf(route, world);
      } catch (error) {
        problems.push((error as Error).message);
      }
      if (!permissions.includes(route.permission)) problems.push(`${key} declares unknown permission`);
    }
    for (const key of Object.keys(bodyOf)) {
      if (!known.has(key)) problems.push(`bodyOf has a factory for ${key}, which is not a route any more`);
    }
    for (const segment of Object.keys(objectOf)) {
      if (!routes.some((route) => route.objectParam && route.url.split('/')[1] === segment)) {
        problems.push(`objectOf has "${segment}", which no object route uses any more`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('answers 401 to a request without credentials', async () => {
    const before = await stateOf(world);
    const failures = await expectStatus({ 'no credentials': '' }, 401);
    expect(failures).toEqual([]);
    expect(await stateOf(world)).toEqual(before);
  }, 60_000);

  it('answers 401 to forged, tampered, foreign and revoked credentials', async () => {
    const ownerA = await mintForA(builtInRoles.owner.permissions);
    const [header, payload, signature] = segments(ownerA);
    const kid = decodeJson(header).kid as string;
    const claims = decodeJson(payload);
    const jwks = (await world.app.server.inject({ url: '/.well-known/jwks.json' })).json<{
      keys: { kid: string; x: string }[];
    }>();
    const publicX = jwks.keys.find((key) => key.kid === kid)?.x;
    if (!publicX) throw new Error('the signing key is not in the JWKS');
    const foreign = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const now = Math.floor(world.clock().getTime() / 1000);
    const validLooking = {
      iss: ISSUER,
      aud: 'attest-api',
      sub: world.a.ownerId,
      tid: world.a.id,
      perm: [...permissions],
      iat: now,
      exp: now + 300,
      jti: randomUUID(),
    };
    const otherTokens = (options: { issuer?: string; audience?: string }) =>
      createTokenService({
        db: world.app.db,
        sealer: world.sealer,
        issuer: options.issuer ?? ISSUER,
        ...(options.audience ? { audience: options.audience } : {}),
        clock: world.clock,
      }).mint({ subject: world.a.ownerId, tenantId: world.a.id, permissions: [...permissions] });
    const [, , secretOfB = ''] = world.b.apiKey.split('_');
    const [, hexOfA = ''] = world.a.revokedKey.split('_');
    const [, , secretOfA = ''] = world.a.liveKey.split('_');
    const hexOfB = world.b.id.replaceAll('-', '');

    const credentials: Record<string, string> = {
      'a JWT with one payload character flipped': bearer(flipPayloadCharacter(ownerA)),
      "a JWT re-pointed at tenant B (A's signature kept)": bearer(
        `${header}.${encodeJson({ ...claims, tid: world.b.id })}.${signature}`,
      ),
      'a JWT with its lifetime stretched (signature kept)': bearer(
        `${header}.${encodeJson({ ...claims, exp: Number(claims.exp) + 3600 })}.${signature}`,
      ),
      'a JWT without a signature': bearer(`${header}.${payload}.`),
      'an alg "none" JWT': bearer(`${encodeJson({ alg: 'none', typ: 'JWT' })}.${encodeJson(validLooking)}.`),
      "an HS256 JWT keyed with the public key's x": bearer(
        await new SignJWT(validLooking)
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid })
          .sign(new TextEncoder().encode(publicX)),
      ),
      "an HS256 JWT keyed with the public key's raw bytes": bearer(
        await new SignJWT(validLooking)
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid })
          .sign(Buffer.from(publicX, 'base64url')),
      ),
      "an EdDSA JWT signed by a foreign key under the app's kid": bearer(
        await new SignJWT(validLooking)
          .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid })
          .sign(foreign.privateKey),
      ),
      'an EdDSA JWT signed by a foreign key with an unknown kid': bearer(
        await new SignJWT(validLooking)
          .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: 'f'.repeat(32) })
          .sign(foreign.privateKey),
      ),
      'an EdDSA JWT carrying its own (foreign) jwk header': bearer(
        await new SignJWT(validLooking)
          .setProtectedHeader({
            alg: 'EdDSA',
            typ: 'JWT',
            jwk: await exportJWK(foreign.publicKey),
          })
          .sign(foreign.privateKey),
      ),
      'a JWT for another audience': bearer(await otherTokens({ audience: 'another-api' })),
      'a JWT from another issuer': bearer(await otherTokens({ issuer: 'https://evil.example' })),
      'a token that is not a JWT': bearer('not-a-jwt-at-all'),
      'the right JWT under the Basic scheme': `Basic ${ownerA}`,
      "A's revoked API key": bearer(world.a.revokedKey),
      "an API key naming A with B's secret": bearer(`attest_${hexOfA}_${secretOfB}`),
      "an API key naming B with A's secret": bearer(`attest_${hexOfB}_${secretOfA}`),
      'an API key naming A with a guessed secret': bearer(`attest_${hexOfA}_${'x'.repeat(43)}`),
    };

    // The controls: the untouched token and a live key of A do get in.
    const control = await world.app.server.inject({
      url: `${API_PREFIX}/profile`,
      headers: { authorization: bearer(ownerA) },
    });
    expect(control.statusCode, "A's owner JWT on GET /profile").toBe(200);
    const keyControl = await world.app.server.inject({
      url: `${API_PREFIX}/profile`,
      headers: { authorization: bearer(world.a.liveKey) },
    });
    expect(keyControl.statusCode, "A's live API key on GET /profile").toBe(200);

    const before = await stateOf(world);
    const failures = await expectStatus(credentials, 401);
    expect(failures).toEqual([]);
    expect(await stateOf(world)).toEqual(before);
  }, 120_000);

  it("answers 404 for A's objects and never shows A's data to tenant B (JWT and API key)", async () => {
    const credentials: Record<string, string> = {
      "B's owner JWT": bearer(
        await world.app.tokens.mint({
          subject: world.b.ownerId,
          tenantId: world.b.id,
          permissions: [...builtInRoles.owner.permissions],
        }),
      ),
      "B's API key": bearer(world.b.apiKey),
    };
    const before = await stateOf(world);
    const failures: string[] = [];
    // Route by route, both credentials in turn: B's own publishes then stay below A's version 3.
    for (const route of routes) {
      for (const [label, authorization] of Object.entries(credentials)) {
        const response = await send(world, route, authorization);
        const where = `${routeKey(route)} with ${label}`;
        const leaks = leakedMarkers(world, response.body);
        if (leaks.length)
          failures.push(`${where}: answer (${response.statusCode}) shows A's ${leaks.join(', ')}`);
        if (route.objectParam) {
          if (response.statusCode !== 404) failures.push(`${where}: ${response.statusCode}, expected 404`);
        } else if (route.method === 'GET' && response.statusCode !== 200) {
          // B holds every permission: its own lists must answer, or the leak check above saw nothing.
          failures.push(`${where}: ${response.statusCode}, expected 200`);
        } else if (response.statusCode >= 500 || response.statusCode === 401 || response.statusCode === 403) {
          failures.push(`${where}: ${response.statusCode}, expected 2xx or a 4xx other than 401/403`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(await stateOf(world), "tenant A's state after B's requests").toEqual(before);
  }, 120_000);

  it("answers 403 to an A token whose role lacks the route's permission", async () => {
    const tokens = new Map<Permission, string>();
    for (const permission of permissions) {
      tokens.set(permission, await mintForA(permissions.filter((held) => held !== permission)));
    }
    const before = await stateOf(world);
    const failures: string[] = [];
    for (const route of routes) {
      const authorization = bearer(tokens.get(route.permission) ?? '');
      const response = await send(world, route, authorization);
      if (response.statusCode !== 403) {
        failures.push(
          `${routeKey(route)} with every permission but ${route.permission}: ${response.statusCode}, expected 403`,
        );
      }
      // A malformed body does not come first: the caller learns nothing of the route's validation.
      if (route.body) {
        const malformed = await world.app.server.inject({
          method: route.method,
          url: `${API_PREFIX}${pathOf(route, world)}`,
          headers: { authorization },
          payload: { unexpected: 'x'.repeat(50) },
        });
        if (malformed.statusCode !== 403) {
          failures.push(
            `${routeKey(route)} with a malformed body and no permission: ${malformed.statusCode}, expected 403`,
          );
        }
      }
    }
    expect(failures).toEqual([]);
    expect(await stateOf(world), "tenant A's state after the refused requests").toEqual(before);
  }, 60_000);

  it('answers 401 to an expired JWT and an expired API key', async () => {
    const token = await mintForA(builtInRoles.owner.permissions);
    const before = await stateOf(world);
    try {
      world.clock.advance(FIVE_MINUTES_AND_SKEW_MS);
      const expiredJwt = await expectStatus({ 'a JWT past its exp and the skew': bearer(token) }, 401);
      world.clock.advance(DAY_MS);
      const expiredKey = await expectStatus(
        { "A's API key a day past expiry": bearer(world.a.expiringKey) },
        401,
      );
      expect([...expiredJwt, ...expiredKey]).toEqual([]);
    } finally {
      world.clock.reset();
    }
    expect(await stateOf(world)).toEqual(before);
  }, 60_000);

  it("serves every route to A's owner, so the refusals above were refusals of valid requests", async () => {
    const token = bearer(await mintForA(builtInRoles.owner.permissions));
    // Reads, then writes, then deletions, then whatever rewrites the whole draft: no call undoes a later one's object.
    const phase = (route: ApiRoute) =>
      replacesDraft.has(routeKey(route)) ? 3 : route.method === 'GET' ? 0 : route.method === 'DELETE' ? 2 : 1;
    const ordered = [...routes].sort((left, right) => phase(left) - phase(right));
    const failures: string[] = [];
    for (const route of ordered) {
      const response = await send(world, route, token);
      const expected = route.successStatus ?? 200;
      const where = `${routeKey(route)} as A's owner`;
      if (response.statusCode !== expected) {
        failures.push(
          `${where}: ${response.statusCode}, expected ${expected}: ${response.body.slice(0, 300)}`,
        );
        continue;
      }
      if (route.method === 'GET' && route.objectParam && leakedMarkers(world, response.body).length === 0) {
        // The markers B must never see do show up for A: the leak check is not blind.
        failures.push(`${where}: A's own object shows none of A's markers`);
      }
      if (route.response && !route.produces) {
        const checked = route.response.safeParse(response.json());
        if (!checked.success) {
          failures.push(`${where}: answer does not match the documented response: ${checked.error.message}`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 60_000);

  it('publishes its verification keys and keeps verifying across a key rotation', async () => {
    const listed = async () => {
      const response = await world.app.server.inject({ url: '/.well-known/jwks.json' });
      expect(response.statusCode).toBe(200);
      return response.json<{ keys: Record<string, unknown>[] }>().keys;
    };
    const kidOf = (token: string) => decodeJson(segments(token)[0]).kid;
    const profileWith = (token: string) =>
      world.app.server.inject({ url: `${API_PREFIX}/profile`, headers: { authorization: bearer(token) } });

    const first = await listed();
    expect(first).toHaveLength(1);
    for (const key of first) {
      expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
      expect(typeof key.kid).toBe('string');
      expect(typeof key.x).toBe('string');
      expect(key).not.toHaveProperty('d');
    }

    const beforeRotation = await mintForA(builtInRoles.owner.permissions);
    const { kid, retired } = await world.app.tokens.rotate();
    expect(retired).toEqual([first[0]?.kid]);
    const both = await listed();
    expect(both.map((key) => key.kid).sort()).toEqual([kid, first[0]?.kid].sort());
    for (const key of both) expect(key).not.toHaveProperty('d');

    expect((await profileWith(beforeRotation)).statusCode, 'a token minted before the rotation').toBe(200);
    const afterRotation = await mintForA(builtInRoles.owner.permissions);
    expect(kidOf(afterRotation)).toBe(kid);
    expect((await profileWith(afterRotation)).statusCode, 'a token minted after the rotation').toBe(200);

    // Once every token of the retired key has expired, the key is no longer published or accepted.
    try {
      world.clock.advance(FIVE_MINUTES_AND_SKEW_MS);
      expect((await listed()).map((key) => key.kid)).toEqual([kid]);
      expect((await profileWith(beforeRotation)).statusCode, 'the old token after its key retired').toBe(401);
    } finally {
      world.clock.reset();
    }
  }, 60_000);
});
