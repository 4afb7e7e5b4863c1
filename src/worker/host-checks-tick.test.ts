import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../test/support/clock.js';
import { testDatabaseKinds } from '../../test/support/databases.js';
import { type App, createApp } from '../app.js';
import { createHostChecksService } from '../modules/host-checks/host-checks.service.js';
import { systemContext } from '../platform/auth/context.js';
import { Sealer } from '../platform/crypto/sealing.js';
import { createFormRateLimiter } from '../platform/http/form-rate-limit.js';
import { createLogger } from '../platform/logging/logger.js';
import { createNetGuard } from '../platform/net/safe-connect.js';
import { createScheduler } from './scheduler.js';

describe.each(testDatabaseKinds)('checks of tenants’ hosts with two workers on $name', (kind) => {
  const time = manualClock(new Date(Date.now() - 86_400_000));
  const allowLoopback = () => createNetGuard({ allowPrivate: '127.0.0.0/8' });
  let app: App;
  let server: http.Server;
  const hits = new Map<string, number>();

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      hits.set(request.url ?? '', (hits.get(request.url ?? '') ?? 0) + 1);
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    app = await createApp({
      db: await kind.create(),
      sealer: new Sealer(randomBytes(32)),
      clock: time.clock,
      hostChecks: { guard: allowLoopback() },
    });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** A worker process: its own services for the checks, the database shared. */
  const worker = () =>
    createScheduler({
      db: app.db,
      services: {
        ...app.services,
        hostChecks: createHostChecksService({ db: app.db, clock: time.clock, guard: allowLoopback() }),
      },
      limiter: createFormRateLimiter({ db: app.db, clock: time.clock }),
      dispatch: () => {},
      clock: time.clock,
      logger: createLogger('silent'),
    });

  it('run every due check once per period, whichever worker ticks first', async () => {
    const port = (server.address() as AddressInfo).port;
    for (const slug of ['tick-one', 'tick-two']) {
      const tenant = await app.services.tenants.create({ slug, name: slug });
      const ctx = systemContext(tenant.id, 'test');
      for (const path of ['a', 'b', 'c'])
        await app.services.hostChecks.create(ctx, {
          kind: 'http-uptime',
          name: `${slug} ${path}`,
          target: `http://127.0.0.1:${port}/${slug}/${path}`,
        });
      await app.services.hostChecks.create(ctx, {
        kind: 'http-headers',
        name: `${slug} headers`,
        target: `http://127.0.0.1:${port}/${slug}/headers`,
        everyMinutes: 60,
      });
    }
    const [a, b] = [worker(), worker()];
    const first = await Promise.all([a.tick(), b.tick()]);
    expect(first.reduce((sum, report) => sum + report.hostChecks, 0)).toBe(8);
    expect([...hits.values()]).toEqual(new Array(8).fill(1));

    time.advance(30_000);
    const early = await Promise.all([b.tick(), a.tick()]);
    expect(early.reduce((sum, report) => sum + report.hostChecks, 0)).toBe(0);

    // A minute on: the uptime checks again, once each; the hourly header checks not yet.
    time.advance(30_000);
    const second = await Promise.all([a.tick(), b.tick(), worker().tick()]);
    expect(second.reduce((sum, report) => sum + report.hostChecks, 0)).toBe(6);
    expect(hits.get('/tick-one/a')).toBe(2);
    expect(hits.get('/tick-two/headers')).toBe(1);
  });
});
