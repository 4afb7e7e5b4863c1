import { createHash } from 'node:crypto';
import { siteCss } from './assets/site-css.js';

export interface Stylesheet {
  body: Buffer;
  /** Named after its content, so it can be cached forever and a new release busts the cache. */
  href: string;
}

let stylesheet: Stylesheet | undefined;

/*
 * The stylesheet lives in a TypeScript module rather than a .css file because the build (tsc) only
 * emits .js: a module travels into dist/ with no copy step to forget.
 */
export function loadStylesheet(): Stylesheet {
  if (!stylesheet) {
    const body = Buffer.from(siteCss, 'utf8');
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
    stylesheet = { body, href: `/assets/site.${hash}.css` };
  }
  return stylesheet;
}
