import { describe, expect, it } from 'vitest';
import { LibraryLoadError, lazyImport } from './lazy-import.js';

describe('lazyImport', () => {
  it('loads on the first call only and shares the module', async () => {
    let loads = 0;
    const lib = lazyImport('lib', async () => {
      loads += 1;
      return { value: 42 };
    });
    expect(loads).toBe(0);
    const [first, second] = await Promise.all([lib(), lib()]);
    expect(first).toBe(second);
    expect(await lib()).toBe(first);
    expect(loads).toBe(1);
  });

  it('names the library in its own error and tries again on the next call', async () => {
    let fail = true;
    const lib = lazyImport('some-lib', async () => {
      if (fail) throw new Error('ERR_MODULE_NOT_FOUND');
      return 'loaded';
    });
    const error = await lib().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LibraryLoadError);
    expect((error as LibraryLoadError).message).toBe('could not load some-lib');
    expect(((error as LibraryLoadError).cause as Error).message).toBe('ERR_MODULE_NOT_FOUND');
    fail = false;
    expect(await lib()).toBe('loaded');
  });

  it('loads a real library with import()', async () => {
    const pdfLib = lazyImport('pdf-lib', () => import('pdf-lib'));
    expect(typeof (await pdfLib()).PDFDocument.create).toBe('function');
  });
});
