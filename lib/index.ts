// The public API of nest-hybrid-auth: what an app uses, by name, values and types apart.
// Internals stay unexported; the framework-free verifier is at `nest-hybrid-auth/verifier`.

export { AuthModule } from './auth.module.js';
export type {
  AuthModuleAsyncOptions,
  AuthModuleRootOptions,
  AuthOptionsFactory,
} from './auth.module-definition.js';
export { TokenService } from './token.service.js';
export type { RequestContext } from './token.service.js';

export {
  AccessTokenExpiredError,
  AccessTokenInvalidError,
  AccessTokenMissingError,
  AccessTokenRevokedError,
  AuthConfigurationError,
  AuthError,
  CrossSiteRequestError,
  InsufficientRoleError,
  RefreshNotConfiguredError,
  RefreshTokenInvalidError,
  RefreshTokenReuseError,
  SessionNotFoundError,
  SigningNotConfiguredError,
  StoreUnavailableError,
  UserRejectedError,
} from './auth.errors.js';
export { RevocationUnavailableError } from './auth.errors.js';
export type { AuthErrorCode } from './auth.errors.js';

export { AUTH_CLOCK } from './clock.js';
export type { Clock } from './clock.js';

export type {
  AccessTokenAlgorithm,
  AuthKeyOptions,
  AuthModuleOptions,
  Duration,
  RefreshTokenOptions,
  RemoteJwksOptions,
  RevocationOptions,
  TokenCarrier,
  TokenExtractor,
} from './options/auth-module-options.js';

export type {
  AccessTokenClaims,
  AuthSubject,
  ClaimValue,
  CustomClaims,
  TokenPair,
} from './access-token/access-token-claims.js';

export { Public } from './decorators/public.decorator.js';
export { OptionalAuth } from './decorators/optional-auth.decorator.js';
export { Roles } from './decorators/roles.decorator.js';
export { CurrentUser } from './decorators/current-user.decorator.js';

export { AccessTokenGuard } from './guards/access-token.guard.js';
export { RolesGuard } from './guards/roles.guard.js';

export { AuthErrorFilter } from './http/auth-error.filter.js';
export { authErrorToHttp, STORE_UNAVAILABLE_RETRY_AFTER } from './http/auth-error-to-http.js';
export type { AuthHttpError } from './http/auth-error-to-http.js';
export { RefreshCookie } from './http/refresh-cookie.js';
export type { CookieResponse, RefreshCookieOptions } from './http/refresh-cookie.js';
export { CsrfOriginCheck } from './http/csrf-origin-check.js';
export type { CsrfOriginCheckOptions, OriginCheckRequest } from './http/csrf-origin-check.js';
export { requestsCookieTransport } from './http/refresh-transport-header.js';

export { JwksController } from './jwks/jwks.controller.js';

export { RevocationStore } from './revocation/revocation.store.js';
export type {
  RevocationEntry,
  RevocationStoreContext,
  RevocationSubject,
} from './revocation/revocation.store.js';
export { MemoryRevocationStore } from './revocation/memory-revocation.store.js';
export type { MemoryRevocationStoreOptions } from './revocation/memory-revocation.store.js';
export { RefreshTokenStore } from './refresh-token/refresh-token.store.js';
export type {
  RefreshSessionRecord,
  RefreshTokenRecord,
  RefreshTokenWithSession,
  RotateRefreshTokenCommand,
  SessionRevocationReason,
} from './refresh-token/refresh-token.store.js';
export { MemoryRefreshTokenStore } from './refresh-token/memory-refresh-token.store.js';

// Automatic key rotation (opt-in).
export type { KeyRotationOptions } from './options/auth-module-options.js';
export { SigningKeyStore } from './keys/rotation/signing-key.store.js';
export type { SigningKeyRecord } from './keys/rotation/signing-key.store.js';
export { MemorySigningKeyStore } from './keys/rotation/memory-signing-key.store.js';
export type { SessionInfo } from './refresh-token/refresh-sessions.js';
export { REFRESH_TOKEN_REUSED_EVENT } from './refresh-token/refresh-token-reuse.event.js';
export type { RefreshTokenReuseEvent } from './refresh-token/refresh-token-reuse.event.js';
