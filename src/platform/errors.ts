/**
 * One error type for everything a client may be told. A code names what went wrong and maps to an
 * HTTP status and a message for people. The generic codes are below; each module declares its own
 * in its `<feature>.errors.ts` and registers them (one table per module, merged here). Anything
 * that is not an AppError is a bug and is answered as a 500 with no internals.
 */
export interface ErrorSpec {
  readonly status: number;
  readonly message: string;
}

/** Codes the platform itself raises (requests, authentication, routes, tenancy, database defaults). */
const genericErrors = {
  'request.invalid': { status: 400, message: 'The request is not valid.' },
  'request.too_large': { status: 413, message: 'The request body is too large.' },
  'request.unsupported_media_type': { status: 415, message: 'This content type is not accepted.' },
  // What a database conflict is when the module has not named it (see tenant-transaction.ts).
  'request.conflict': {
    status: 409,
    message: 'This conflicts with data that already exists. Reload and try again.',
  },
  'request.concurrent_change': { status: 409, message: 'Someone changed this at the same time. Try again.' },
  'auth.required': { status: 401, message: 'Authentication is required.' },
  'auth.forbidden': { status: 403, message: 'You do not have permission to do this.' },
  'auth.origin_rejected': { status: 403, message: 'This request did not come from this site.' },
  'route.not_found': { status: 404, message: 'Not found.' },
  'tenant.not_found': { status: 404, message: 'No trust center is published here.' },
  'tenant.read_only': {
    status: 409,
    message: 'This trust center is closing: it can be read and exported, but no longer changed.',
  },
  'content.not_found': { status: 404, message: 'Not found.' },
  'content.key_taken': { status: 409, message: 'An item with that key already exists.' },
  'rate.limited': { status: 429, message: 'Too many requests. Try again later.' },
  // A dependency (the database, the blob store) is unreachable or timed out: try again later (Retry-After).
  'service.unavailable': {
    status: 503,
    message: 'The service is briefly unavailable. Try again in a moment.',
  },
  'storage.unavailable': {
    status: 503,
    message: 'The file could not be stored right now. Nothing was saved; try again in a moment.',
  },
  internal: { status: 500, message: 'Something went wrong on our side.' },
} as const satisfies Record<string, ErrorSpec>;

/**
 * Every code a client may be told, as a type: the generic ones, and each module's, which its
 * `<feature>.errors.ts` adds by declaration merging (`declare module '…/platform/errors.js'`).
 */
export interface ErrorCodes extends Record<keyof typeof genericErrors, ErrorSpec> {}
export type ErrorCode = keyof ErrorCodes & string;

const errorTable = new Map<string, ErrorSpec>(Object.entries(genericErrors));

/**
 * Adds a module's codes to the table (at load: the module's files that raise them import its
 * errors file). A code is owned once: registering it again with another meaning is a bug.
 */
export function registerErrorCodes<const Codes extends Record<string, ErrorSpec>>(codes: Codes): Codes {
  for (const [code, spec] of Object.entries(codes)) {
    const known = errorTable.get(code);
    if (known && (known.status !== spec.status || known.message !== spec.message)) {
      throw new Error(`error code ${code} is already registered with another meaning`);
    }
    errorTable.set(code, spec);
  }
  return codes;
}

function specOf(code: ErrorCode): ErrorSpec {
  const spec = errorTable.get(code);
  if (!spec) throw new Error(`error code ${code} is not registered: import its module's *.errors.ts`);
  return spec;
}

export interface ErrorDetail {
  path: string;
  message: string;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly details: readonly ErrorDetail[] = [],
  ) {
    const spec = specOf(code);
    super(spec.message);
    this.status = spec.status;
  }

  toJSON() {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details.length ? { details: this.details } : {}),
      },
    };
  }
}

export function errorStatus(code: ErrorCode): number {
  return specOf(code).status;
}

export function errorMessage(code: ErrorCode): string {
  return specOf(code).message;
}

/** Every registered code with its status and message (the OpenAPI document and tests list them). */
export function registeredErrorCodes(): ReadonlyMap<string, ErrorSpec> {
  return errorTable;
}
