/** Longest user id a store must hold: the `user_id` columns are VARCHAR(255). */
export const MAX_USER_ID_LENGTH = 255;

// RFC 9562 section 4 text form, lower case as `randomUUID()` writes it. Only the canonical form
// is accepted, so that a database whose collation ignores case (MariaDB's default
// utf8mb4_general_ci) can never match a stored id with a different spelling of it.
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface WellFormedString {
  // ES2024 (Node 20+): false for a string holding a lone surrogate, which no UTF-8 column stores.
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/**
 * Whether `value` can be a session id: a UUID in canonical lower-case form. Session ids come
 * from route params and bodies; anything else names no session and must not reach a driver
 * (PostgreSQL refuses a NUL byte in text with SQLSTATE 22021).
 *
 * @example
 * if (!isSessionId(params.id)) throw new SessionNotFoundError();
 */
export function isSessionId(value: unknown): value is string {
  return typeof value === 'string' && SESSION_ID.test(value);
}

/**
 * Whether `value` can be stored as a user id: a non-empty string of at most 255 UTF-16 units,
 * without NUL and without lone surrogates (text every supported database stores and compares
 * exactly).
 *
 * @example
 * isStorableUserId('alice '); // true: trailing spaces are part of the id
 */
export function isStorableUserId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_USER_ID_LENGTH &&
    !value.includes('\u0000') &&
    (value as unknown as WellFormedString).isWellFormed()
  );
}

/**
 * Client-supplied text (User-Agent, address) made storable: at most `max` UTF-16 units, NUL
 * replaced, and a surrogate pair cut by the limit or sent alone replaced by U+FFFD, so the
 * driver never refuses it. Empty becomes `null`.
 *
 * @example
 * storableText(req.headers['user-agent'], 512);
 */
export function storableText(value: string | null | undefined, max: number): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const clipped = (value.slice(0, max) as unknown as WellFormedString).toWellFormed();
  return clipped.replaceAll('\u0000', '\uFFFD');
}
