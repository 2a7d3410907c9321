import type { AuthError } from '../auth.errors.js';

// passport reports a failure to the guard only as a challenge string and a status; the
// AuthError behind it (expired or invalid) travels from the strategy to the guard here,
// keyed by the request both see.
const failures = new WeakMap<object, AuthError>();

/** Records why the strategy refused `request`. */
export function recordAuthFailure(request: object, error: AuthError): void {
  failures.set(request, error);
}

/** Why the strategy refused `request`, once; `undefined` when it did not say. */
export function takeAuthFailure(request: object): AuthError | undefined {
  const error = failures.get(request);
  failures.delete(request);
  return error;
}
