import { STATUS_CODES } from 'node:http';

/** The body of every error response of the sample app. */
export interface ErrorBody {
  readonly statusCode: number;
  /** The HTTP reason phrase of `statusCode`. */
  readonly error: string;
  /** A short, fixed, client-safe description: never a stack, SQL or token. */
  readonly message: string;
}

/** An error response: its body and the headers that go with it. */
export interface ErrorResponse {
  readonly body: ErrorBody;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Builds an error response.
 *
 * @example errorResponse(404, 'Session not found')
 */
export function errorResponse(
  statusCode: number,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): ErrorResponse {
  return { body: { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message }, headers };
}
