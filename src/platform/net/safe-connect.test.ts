import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowList, refusalOf } from './addresses.js';
import { createNetGuard, type HostResolver, requestPinned, TargetRefusedError } from './safe-connect.js';

const refusedByDefault: readonly (readonly [string, string])[] = [
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['10.1.2.3', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'shared-cgnat'],
  ['100.127.255.255', 'shared-cgnat'],
  ['169.254.169.254', 'link-local'],
  ['169.254.0.1', 'link-local'],
  ['0.0.0.0', 'this-network'],
  ['0.1.2.3', 'this-network'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['255.255.255.255', 'reserved-broadcast'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['::', 'unspecified'],
  ['fc00::1', 'unique-local'],
  ['fd12:3456::1', 'unique-local'],
  ['fe80::1', 'link-local'],
  ['febf::1', 'link-local'],
  ['ff02::1', 'multicast'],
  ['::ffff:127.0.0.1', 'loopback-in-ipv6'],
  ['::ffff:7f00:1', 'loopback-in-ipv6'],
  ['::ffff:169.254.169.254', 'link-local-in-ipv6'],
  ['::ffff:10.0.0.1', 'private-in-ipv6'],
  ['::127.0.0.1', 'loopback-in-ipv6'],
  ['64:ff9b::10.0.0.1', 'private-in-ipv6'],
  ['64:ff9b::a9fe:a9fe', 'link-local-in-ipv6'],
  ['2002:7f00:1::', 'loopback-in-ipv6'],
  ['2002:c0a8:101::1', 'private-in-ipv6'],
  ['2001:0:4136:e378::1', 'teredo'],
];

describe('address classes', () => {
  it.each(refusedByDefault)('refuses %s (%s) by default', (address, reason) => {
    expect(refusalOf(address)).toBe(reason);
  });

  it.each(['93.184.215.14', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])(
    'lets the public address %s through',
    (address) => {
      expect(refusalOf(address)).toBeNull();
    },
  );

  it('refuses what is not an address at all', () => {
    for (const text of ['localhost', '1.2.3', '1.2.3.256', 'fe80::1%eth0', '::ffff:1.2.3.4.5', ''])
      expect(refusalOf(text)).toBe('not-an-address');
  });

  it('lets through only the ranges the operator allows, in every spelling', () => {
    const allow = parseAllowList('127.0.0.0/8, ::1');
    expect(refusalOf('127.0.0.1', allow)).toBeNull();
    expect(refusalOf('::ffff:127.0.0.1', allow)).toBeNull();
    expect(refusalOf('::1', allow)).toBeNull();
    expect(refusalOf('10.0.0.1', allow)).toBe('private');
    expect(refusalOf('169.254.169.254', allow)).toBe('link-local');
    expect(() => parseAllowList('127.0.0.0/33')).toThrow();
    expect(() => parseAllowList('localhost')).toThrow();
  });
});

describe('the guard', () => {
  const fixed =
    (...addresses: string[]): HostResolver =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  it('refuses a name that resolves to a refused address, and one whose answers mix in one', async () => {
    const guard = createNetGuard({ resolver: fixed('127.0.0.1') });
    await expect(guard.pin('status.example.com')).rejects.toThrow(TargetRefusedError);
    const mixed = createNetGuard({ resolver: fixed('93.184.215.14', '169.254.169.254') });
    await expect(mixed.pin('status.example.com')).rejects.toMatchObject({ reason: 'link-local' });
  });

  it('refuses literals, bracketed IPv6, names that do not resolve and what is not a host name', async () => {
    const guard = createNetGuard({
      resolver: async () => {
        throw new Error('ENOTFOUND');
      },
    });
    await expect(guard.pin('169.254.169.254')).rejects.toMatchObject({ reason: 'link-local' });
    await expect(guard.pin('[::1]')).rejects.toMatchObject({ reason: 'loopback' });
    await expect(guard.pin('[::ffff:127.0.0.1]')).rejects.toMatchObject({ reason: 'loopback-in-ipv6' });
    await expect(guard.pin('nowhere.example.com')).rejects.toMatchObject({ reason: 'unresolvable' });
    await expect(guard.pin('a b/c')).rejects.toMatchObject({ reason: 'not-a-host-name' });
  });

  it('resolves a real name with the system resolver: localhost is refused by default', async () => {
    await expect(createNetGuard().pin('localhost')).rejects.toThrow(TargetRefusedError);
  });

  describe('against a local server', () => {
    let server: http.Server;
    let port = 0;
    let connections = 0;
    beforeAll(async () => {
      server = http.createServer((_request, response) => response.end('ok'));
      server.on('connection', () => {
        connections += 1;
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('reaches an allowed local server at the address it checked', async () => {
      const guard = createNetGuard({ allowPrivate: '127.0.0.0/8', resolver: fixed('127.0.0.1') });
      const pinned = await guard.pin('status.example.test');
      const before = connections;
      const response = await requestPinned(pinned, new URL(`http://status.example.test:${port}/`), {
        timeoutMs: 2_000,
      });
      expect(response.statusCode).toBe(200);
      expect(connections).toBe(before + 1);
    });

    it('a name answering a public address first and 127.0.0.1 next never reaches the local server', async () => {
      let lookups = 0;
      const rebinding: HostResolver = async () => {
        lookups += 1;
        return [{ address: lookups === 1 ? '93.184.215.14' : '127.0.0.1', family: 4 }];
      };
      const guard = createNetGuard({ resolver: rebinding });
      const pinned = await guard.pin('rebind.example.test');
      expect(pinned.address).toBe('93.184.215.14');
      const before = connections;
      await requestPinned(pinned, new URL(`http://rebind.example.test:${port}/`), { timeoutMs: 500 }).catch(
        () => null,
      );
      expect(lookups).toBe(1);
      expect(connections).toBe(before);
    });
  });
});
