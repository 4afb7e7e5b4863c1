/*
 * The console's only way to the server: fetch against /bff with the session cookie, which the
 * browser keeps and scripts never see. Errors arrive as `{ error: { code, message, details } }`.
 */

export interface ErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
    readonly requestId?: string,
  ) {
    super(message);
  }
}

/** Codes that mean "you are not signed in (any more)": the console returns to sign-in. */
const SESSION_ENDED = new Set(['auth.session_expired', 'auth.required']);

type Listener = (error: ApiError) => void;
const sessionEndedListeners = new Set<Listener>();
const enrollmentListeners = new Set<Listener>();

export function onSessionEnded(listener: Listener): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

/** The tenant requires a second factor this person has not set up yet. */
export function onMfaEnrollmentRequired(listener: Listener): () => void {
  enrollmentListeners.add(listener);
  return () => enrollmentListeners.delete(listener);
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: ErrorDetail[]; requestId?: string };
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  return send<T>(path, {
    method,
    headers:
      body === undefined
        ? { accept: 'application/json' }
        : { accept: 'application/json', 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** How much of an upload's body has gone to the server. */
export interface UploadProgress {
  sent: number;
  total: number;
}

/**
 * A multipart/form-data upload (a file with its fields). The browser writes the body and its
 * Content-Type with the boundary; the BFF passes the bytes to the API as they are. It goes by
 * XMLHttpRequest because fetch cannot report how much of a request body has been sent.
 */
export function upload<T>(
  method: 'POST' | 'PUT',
  path: string,
  form: FormData,
  onProgress?: (progress: UploadProgress) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(method, path);
    request.setRequestHeader('accept', 'application/json');
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress?.({ sent: event.loaded, total: event.total });
    });
    request.addEventListener('load', () => {
      try {
        resolve(answer<T>(request.status, request.responseText));
      } catch (error) {
        reject(error);
      }
    });
    request.addEventListener('error', () => reject(unreachable()));
    request.addEventListener('abort', () => reject(unreachable()));
    request.send(form);
  });
}

function unreachable(): ApiError {
  return new ApiError(0, 'network', 'The server could not be reached. Check your connection and try again.');
}

async function send<T>(path: string, init: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, credentials: 'same-origin' });
  } catch {
    throw unreachable();
  }
  return answer<T>(response.status, await response.text());
}

/** The API's answer: its JSON on success; an ApiError (and the session listeners told) on failure. */
function answer<T>(status: number, text: string): T {
  if (status === 204) return undefined as T;
  const data = parseBody(text);
  if (status < 200 || status >= 300) {
    const error = (data as ErrorBody | undefined)?.error;
    const failure = new ApiError(
      status,
      error?.code ?? 'internal',
      error?.message ?? `The request failed (${status}).`,
      error?.details ?? [],
      error?.requestId,
    );
    if (status === 401 && SESSION_ENDED.has(failure.code)) {
      for (const listener of sessionEndedListeners) listener(failure);
    }
    if (failure.code === 'auth.mfa_enrollment_required') {
      for (const listener of enrollmentListeners) listener(failure);
    }
    throw failure;
  }
  return data as T;
}

/** The API through the BFF: `/bff/api/x` is `/api/v1/x` called with a JWT minted on the server. */
export function apiPath(path: string, query?: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const suffix = search.toString();
  return `/bff/api${path}${suffix ? `?${suffix}` : ''}`;
}

export const api = {
  get: <T>(path: string, query?: Record<string, string | number | undefined | null>) =>
    request<T>('GET', apiPath(path, query)),
  post: <T>(path: string, body: unknown = {}) => request<T>('POST', apiPath(path), body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', apiPath(path), body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', apiPath(path), body),
  delete: (path: string) => request<void>('DELETE', apiPath(path)),
};

/** A page of a list, as every list route answers. */
export interface Page<Item> {
  items: Item[];
  total: number;
  nextOffset: number | null;
}

/** Lists are small (a trust center has tens of items): one page of the maximum size holds them. */
export const ALL = { limit: 200 } as const;

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return 'Something went wrong. Try again.';
}
