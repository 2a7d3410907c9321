/**
 * Every `code` an {@link AuthError} can carry: a closed set, so a `switch` or a
 * `Record<AuthErrorCode, ...>` over it is checked for exhaustiveness by the compiler
 * (`authErrorToHttp` renders each of them).
 */
export type AuthErrorCode =
  | 'ERR_AUTH_CONFIGURATION'
  | 'ERR_AUTH_ACCESS_TOKEN_MISSING'
  | 'ERR_AUTH_ACCESS_TOKEN_INVALID'
  | 'ERR_AUTH_ACCESS_TOKEN_EXPIRED'
  | 'ERR_AUTH_ACCESS_TOKEN_REVOKED'
  | 'ERR_AUTH_INSUFFICIENT_ROLE'
  | 'ERR_AUTH_REFRESH_TOKEN_INVALID'
  | 'ERR_AUTH_REFRESH_TOKEN_REUSED'
  | 'ERR_AUTH_USER_REJECTED'
  | 'ERR_AUTH_SESSION_NOT_FOUND'
  | 'ERR_AUTH_SIGNING_NOT_CONFIGURED'
  | 'ERR_AUTH_REFRESH_NOT_CONFIGURED'
  | 'ERR_AUTH_REVOCATION_UNAVAILABLE'
  | 'ERR_AUTH_STORE_UNAVAILABLE'
  | 'ERR_AUTH_CROSS_SITE_REQUEST';

/**
 * Base class of every error this module throws on purpose. Each subclass carries a stable
 * string `code` (jose style) so callers branch on `error.code`, never on `instanceof`
 * across package copies. The underlying library error, when there is one, is kept as `cause`.
 */
export abstract class AuthError extends Error {
  /** A stable, machine-readable error code, one of {@link AuthErrorCode}. */
  abstract readonly code: AuthErrorCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The module options are invalid. Thrown once at start-up, listing every problem.
 */
export class AuthConfigurationError extends AuthError {
  override readonly code = 'ERR_AUTH_CONFIGURATION';
  /** Every problem found, each as `path: what is wrong and how to fix it`. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(
      `Invalid AuthModule options (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((problem) => `  - ${problem}`).join('\n'),
    );
    this.problems = Object.freeze([...problems]);
  }
}

/** No access token was presented where one is required. */
export class AccessTokenMissingError extends AuthError {
  override readonly code = 'ERR_AUTH_ACCESS_TOKEN_MISSING';
  constructor() {
    super('No access token was presented');
  }
}

/** The access token failed verification (signature, format, algorithm, claims, type). */
export class AccessTokenInvalidError extends AuthError {
  override readonly code = 'ERR_AUTH_ACCESS_TOKEN_INVALID';
  constructor(options?: { cause?: unknown }) {
    super('The access token is invalid', options);
  }
}

/** The access token is well-formed and correctly signed, but expired. */
export class AccessTokenExpiredError extends AuthError {
  override readonly code = 'ERR_AUTH_ACCESS_TOKEN_EXPIRED';
  constructor(options?: { cause?: unknown }) {
    super('The access token has expired', options);
  }
}

/** The access token, or the session it belongs to, was revoked before its expiry. */
export class AccessTokenRevokedError extends AuthError {
  override readonly code = 'ERR_AUTH_ACCESS_TOKEN_REVOKED';
  constructor() {
    super('The access token has been revoked');
  }
}

/** The authenticated caller lacks every role the route requires. */
export class InsufficientRoleError extends AuthError {
  override readonly code = 'ERR_AUTH_INSUFFICIENT_ROLE';
  /** The roles the route accepts (any one of them suffices). */
  readonly requiredRoles: readonly string[];
  constructor(requiredRoles: readonly string[]) {
    super('The caller lacks the role this resource requires');
    this.requiredRoles = Object.freeze([...requiredRoles]);
  }
}

/** The refresh token is unknown, malformed, expired or revoked. */
export class RefreshTokenInvalidError extends AuthError {
  override readonly code = 'ERR_AUTH_REFRESH_TOKEN_INVALID';
  constructor(options?: { cause?: unknown }) {
    super('The refresh token is invalid', options);
  }
}

/**
 * A spent refresh token was presented after the grace window: the session was treated as
 * stolen and revoked whole (RFC 9700 section 4.14.2).
 */
export class RefreshTokenReuseError extends AuthError {
  override readonly code = 'ERR_AUTH_REFRESH_TOKEN_REUSED';
  /** The id of the session that was revoked. */
  readonly sessionId: string;
  /** The user the session belonged to. */
  readonly userId: string;
  constructor(sessionId: string, userId: string, options?: { cause?: unknown }) {
    super('A spent refresh token was reused; its session has been revoked', options);
    this.sessionId = sessionId;
    this.userId = userId;
  }
}

/** The application's user hook refused the user (disabled, deleted) at refresh time. */
export class UserRejectedError extends AuthError {
  override readonly code = 'ERR_AUTH_USER_REJECTED';
  constructor() {
    super('The user may no longer obtain tokens');
  }
}

/** No live session with that id belongs to the user. */
export class SessionNotFoundError extends AuthError {
  override readonly code = 'ERR_AUTH_SESSION_NOT_FOUND';
  constructor() {
    super('No such session');
  }
}

/** The module was configured to verify only, and an operation needs the signing key. */
export class SigningNotConfiguredError extends AuthError {
  override readonly code = 'ERR_AUTH_SIGNING_NOT_CONFIGURED';
  constructor() {
    super('This AuthModule verifies tokens only: no signing key is configured');
  }
}

/** A refresh-token operation was called on a module configured without `refresh`. */
export class RefreshNotConfiguredError extends AuthError {
  override readonly code = 'ERR_AUTH_REFRESH_NOT_CONFIGURED';
  constructor() {
    super('Refresh-token sessions are not configured: set the `refresh` option of AuthModule');
  }
}

/**
 * A revocation store configured to refuse while its backend is unreachable (for example
 * `RedisRevocationStore` with `whenUnavailable: 'refuse'`) cannot tell whether a token was
 * revoked on another instance. Rendered as 503: the token may be fine, try again shortly.
 */
export class RevocationUnavailableError extends AuthError {
  override readonly code = 'ERR_AUTH_REVOCATION_UNAVAILABLE';
  constructor() {
    super('Revocations cannot be checked right now');
  }
}

/**
 * The refresh-token store could not be reached, dropped the connection, or did not answer in
 * time. Nothing was changed by the failed call: retry later (HTTP 503 with `Retry-After`).
 * The driver's error is kept as `cause`; its message (it may quote SQL) is never shown.
 */
export class StoreUnavailableError extends AuthError {
  override readonly code = 'ERR_AUTH_STORE_UNAVAILABLE';
  constructor(options?: { cause?: unknown }) {
    super('The session store is unavailable', options);
  }
}

/**
 * A request that carried the refresh cookie failed the CSRF check (no `X-Refresh-Transport`
 * header, `Origin: null`, or an origin that is neither the app's nor an allowed one).
 */
export class CrossSiteRequestError extends AuthError {
  override readonly code = 'ERR_AUTH_CROSS_SITE_REQUEST';
  /** Which check refused it, for logs: never shown to the client. */
  readonly reason: 'missing-header' | 'null-origin' | 'foreign-origin';

  constructor(reason: CrossSiteRequestError['reason']) {
    super(`Cookie-carried request refused (${reason})`);
    this.reason = reason;
  }
}
