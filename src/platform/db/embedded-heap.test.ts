import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isEmbeddedServerStart } from './embedded-heap.js';

describe('the embedded server heap', () => {
  it('is tuned for `attest start` without DATABASE_URL only', () => {
    expect(isEmbeddedServerStart(['start'], {})).toBe(true);
    expect(isEmbeddedServerStart(['start', '--no-demo'], { DATABASE_URL: ' ' })).toBe(true);
    expect(isEmbeddedServerStart(['start'], { DATABASE_URL: 'postgres://db/attest' })).toBe(false);
    expect(isEmbeddedServerStart(['migrate'], {})).toBe(false);
    expect(isEmbeddedServerStart([], {})).toBe(false);
  });

  it('keeps the young generation at its initial size however much short-lived garbage is made', () => {
    // In a child: the flag is process-wide, and must be set before the allocations it governs.
    const script = `
      import v8 from 'node:v8';
      import { keepYoungGenerationSmall } from ${JSON.stringify(new URL('./embedded-heap.ts', import.meta.url).href)};
      keepYoungGenerationSmall();
      const kept = [];
      for (let i = 0; i < 2e6; i++) { const o = { i, s: 'x' + i, a: [i] }; if (i % 100 === 0) kept.push(o); }
      const young = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
      process.stdout.write(String(young.space_size / 1048576));`;
    const youngMb = Number(
      execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        encoding: 'utf8',
      }),
    );
    // V8's default grows it to 16-64MB on this workload.
    expect(youngMb).toBeLessThanOrEqual(4);
  });
});
