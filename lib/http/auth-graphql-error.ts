import type { AuthHttpError } from './auth-error-to-http.js';

/** The `extensions.code` values of auth failures in GraphQL, as Apollo Server names them. */
export type AuthGraphqlErrorCode =
  'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'INTERNAL_SERVER_ERROR';

const CODE_BY_STATUS: Readonly<Record<number, AuthGraphqlErrorCode>> = {
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
};

/**
 * An auth failure in a GraphQL resolver. graphql-js copies the `extensions` of the error a
 * resolver throws onto the `GraphQLError` it reports (graphql-js `GraphQLError` constructor,
 * `originalError.extensions`), so this needs no import of `graphql` and works with every
 * driver. The message is the fixed HTTP message (`Access token expired`, `Invalid access
 * token`...): no jose message, no hint beyond what a client needs.
 */
export class AuthGraphqlError extends Error {
  /** `code` as Apollo Server names it (`UNAUTHENTICATED`, `FORBIDDEN`). */
  readonly extensions: { readonly code: AuthGraphqlErrorCode };

  constructor(mapped: AuthHttpError | null, options?: { cause?: unknown }) {
    super(mapped?.body.message ?? 'Internal server error', options);
    this.name = 'AuthGraphqlError';
    this.extensions = Object.freeze({
      code: (mapped && CODE_BY_STATUS[mapped.status]) ?? 'INTERNAL_SERVER_ERROR',
    });
    // Apollo Server copies the original error's stack into `extensions.stacktrace` unless
    // `includeStacktraceInErrorResponses` is off; a client-caused refusal has no frames to show.
    this.stack = `${this.name}: ${this.message}`;
  }
}
