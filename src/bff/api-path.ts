import { AppError } from '../platform/errors.js';
import { API_PREFIX } from '../platform/http/api-route.js';

const BFF_API = '/bff/api/';

/** Whether a decoded segment holds a separator, an escape or a control character (NUL among them). */
function hasForbiddenCharacter(segment: string): boolean {
  for (let index = 0; index < segment.length; index++) {
    const char = segment.charCodeAt(index);
    if (
      char < 0x20 ||
      char === 0x7f ||
      char === 0x2f /* / */ ||
      char === 0x5c /* \ */ ||
      char === 0x25 /* % */
    )
      return true;
  }
  return false;
}

/**
 * The API URL that a /bff/api/* request stands for, or a 404 when its path would leave /api/v1.
 * Built from the raw URL, one segment at a time: each is decoded once and must then be a plain
 * name (no "." or "..", no slash or backslash, no "%" left over from double encoding, no NUL or
 * other control character), and is encoded again. The router's decoded wildcard must not be used:
 * "..%2f..%2fhealthz" decodes to "../../healthz", which the forward then resolved outside the API
 * and sent with the minted JWT. The query string is the API's to read and goes as sent.
 */
export function apiPathOf(url: string): string {
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = queryAt === -1 ? '' : url.slice(queryAt);
  if (!path.startsWith(BFF_API)) throw new AppError('route.not_found');
  const segments = path.slice(BFF_API.length).split('/');
  // One trailing slash names the same route (the router ignores it too).
  if (segments.length > 1 && segments.at(-1) === '') segments.pop();
  const encoded = segments.map((segment) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw new AppError('request.invalid', [{ path: 'path', message: 'not valid percent-encoding' }]);
    }
    if (decoded === '' || decoded === '.' || decoded === '..' || hasForbiddenCharacter(decoded)) {
      throw new AppError('route.not_found');
    }
    return encodeURIComponent(decoded);
  });
  return `${API_PREFIX}/${encoded.join('/')}${query}`;
}
