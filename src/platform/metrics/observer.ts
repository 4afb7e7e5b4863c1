/**
 * What the code tells the metrics about, as events. Modules and the HTTP layer call these; when
 * the operator turns metrics off they go to `ignoreObservations` and cost nothing, and prom-client
 * is never loaded. Every label is a bounded technical value (a route pattern, an error code, a
 * check key): never a tenant's name, an address or anything a visitor typed.
 */
export interface Observer {
  /** One HTTP response: the route's pattern (`/t/:slug/security`), never the URL. */
  httpResponse(event: {
    method: string;
    route: string;
    status: number;
    seconds: number;
    /** Our error code when the response is an error (`auth.invalid_credentials`). */
    errorCode?: string | undefined;
  }): void;
  /** One evidence check ran, with its outcome. */
  evidenceChecked(check: string, status: 'pass' | 'fail' | 'error' | 'not_applicable'): void;
}

export const ignoreObservations: Observer = {
  httpResponse() {},
  evidenceChecked() {},
};
