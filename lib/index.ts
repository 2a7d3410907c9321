// The public API of nest-hybrid-auth: every export by name, values and types apart.

export { AuthModule } from './auth.module.js';
export type {
  AuthModuleAsyncOptions,
  AuthModuleRootOptions,
  AuthOptionsFactory,
} from './auth.module-definition.js';
export { AUTH_MODULE_OPTIONS } from './auth.module-definition.js';
export { AUTH_OPTIONS, IS_OPTIONAL_AUTH_KEY, IS_PUBLIC_KEY, ROLES_KEY } from './auth.constants.js';
export { TokenService } from './token.service.js';
export { AccessTokenAuthenticator } from './access-token/access-token-authenticator.js';
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

export { AUTH_CLOCK, systemClock } from './clock.js';
export type { Clock } from './clock.js';

export type {
  AccessTokenAlgorithm,
  AuthKeyOptions,
  AuthModuleOptions,
  Duration,
  RefreshTokenOptions,
  RemoteJwksOptions,
  ResolvedAuthOptions,
  ResolvedRefreshTokenOptions,
  RevocationOptions,
  TokenCarrier,
  TokenExtractor,
} from './options/auth-module-options.js';
export { resolveAuthOptions } from './options/resolve-auth-options.js';

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
export type {
  CsrfOriginCheckOptions,
  CsrfVerdict,
  OriginCheckRequest,
} from './http/csrf-origin-check.js';
export {
  COOKIE_TRANSPORT,
  REFRESH_TRANSPORT_HEADER,
  requestsCookieTransport,
} from './http/refresh-transport-header.js';
export type { HeaderCarrier } from './http/refresh-transport-header.js';

export { JwksController } from './jwks/jwks.controller.js';

export { RevocationStore } from './revocation/revocation.store.js';
export type {
  RevocationEntry,
  RevocationStoreContext,
  RevocationSubject,
} from './revocation/revocation.store.js';
export {
  DEFAULT_MAX_REVOCATION_ENTRIES,
  MemoryRevocationStore,
} from './revocation/memory-revocation.store.js';
export type { MemoryRevocationStoreOptions } from './revocation/memory-revocation.store.js';
export { clampRevocationEntry } from './revocation/clamp-revocation-entry.js';
export { sessionRevocation } from './revocation/session-revocation.js';
export { RefreshTokenStore } from './refresh-token/refresh-token.store.js';
export type {
  RefreshSessionRecord,
  RefreshTokenRecord,
  RefreshTokenWithSession,
  RotateRefreshTokenCommand,
  SessionRevocationReason,
} from './refresh-token/refresh-token.store.js';
export { MemoryRefreshTokenStore } from './refresh-token/memory-refresh-token.store.js';
export { RefreshSessions } from './refresh-token/refresh-sessions.js';
export type {
  OpenedRefreshSession,
  OpenSessionContext,
  RefreshContext,
  RotatedRefreshSession,
  SessionInfo,
} from './refresh-token/refresh-sessions.js';
export { deriveRefreshSecret } from './refresh-token/refresh-token-secret.js';
export { REFRESH_TOKEN_REUSED_EVENT } from './refresh-token/refresh-token-reuse.event.js';
export type { RefreshTokenReuseEvent } from './refresh-token/refresh-token-reuse.event.js';

export { createKeyRing } from './access-token/key-ring.js';
export type { AccessTokenSigner, KeyMaterial, KeyRing, KeySet } from './access-token/key-ring.js';
export { createAccessTokenVerifier } from './access-token/verify-access-token.js';
export type { AccessTokenVerifier } from './access-token/verify-access-token.js';
export { parseDuration } from './options/parse-duration.js';
