import { Logger, type Provider } from '@nestjs/common';
import { KeyObject, type webcrypto } from 'node:crypto';
import { AccessTokenAuthenticator } from './access-token/access-token-authenticator.js';
import { createKeyRing, type KeyRing } from './keys/key-ring.js';
import type { KeyRingConfig } from './keys/key-ring-config.js';
import {
  createAccessTokenVerifier,
  type AccessTokenVerifier,
  type AccessTokenVerifierConfig,
} from './access-token/verify-access-token.js';
import { ACCESS_TOKEN_VERIFIER, AUTH_KEY_RING, AUTH_OPTIONS } from './auth.constants.js';
import { AUTH_MODULE_OPTIONS } from './auth.module-definition.js';
import { AUTH_CLOCK, systemClock, type Clock } from './clock.js';
import { AccessTokenGuard } from './guards/access-token.guard.js';
import { RolesGuard } from './guards/roles.guard.js';
import type { AuthModuleOptions, ResolvedAuthOptions } from './options/auth-module-options.js';
import { resolveAuthOptions } from './options/resolve-auth-options.js';
import { RefreshSessions, type RefreshSessionsConfig } from './refresh-token/refresh-sessions.js';
import { deriveRefreshSecret } from './refresh-token/refresh-token-secret.js';
import { RefreshTokenStore } from './refresh-token/refresh-token.store.js';
import { MemoryRevocationStore } from './revocation/memory-revocation.store.js';
import { RevocationStore } from './revocation/revocation.store.js';
import { SessionRevocationListener } from './session-revocation.listener.js';
import { TokenService } from './token.service.js';

/** What the key ring reads of the options. */
export function keyRingConfig(options: ResolvedAuthOptions): KeyRingConfig {
  return Object.freeze({
    algorithm: options.algorithm,
    keys: options.keys,
    jwks: options.jwks,
    accessTokenTtl: options.accessTokenTtl,
    clockTolerance: options.clockTolerance,
    rotation: options.rotation ?? null,
  });
}

/** What the verifier reads of the options. */
export function verifierConfig(options: ResolvedAuthOptions): AccessTokenVerifierConfig {
  return Object.freeze({
    issuer: options.issuer,
    audience: options.audience,
    accessTokenTtl: options.accessTokenTtl,
    clockTolerance: options.clockTolerance,
    cache: options.cache,
  });
}

/**
 * What the session rules read of the options, with the secret as configured or derived from
 * the signing key; `null` when refresh tokens are off or the module cannot sign.
 */
export function refreshSessionsConfig(
  options: ResolvedAuthOptions,
  keyRing: KeyRing,
): RefreshSessionsConfig | null {
  const refresh = options.refresh;
  if (refresh === null || keyRing.signer === null) return null;
  const key = keyRing.signer.key;
  // With rotation the signing key changes; the key-encryption key does not, and HKDF keeps the
  // two uses apart (RFC 5869 section 3.2).
  const rotationKey = options.rotation?.encryptionKey;
  const secret =
    refresh.secret ??
    (rotationKey === undefined ? undefined : deriveRefreshSecret(rotationKey)) ??
    deriveRefreshSecret(
      key instanceof Uint8Array || key instanceof KeyObject
        ? key
        : KeyObject.from(key as webcrypto.CryptoKey),
    );
  return Object.freeze({
    ttl: refresh.ttl,
    idleTtl: refresh.idleTtl,
    reuseGracePeriod: refresh.reuseGracePeriod,
    maxSessionsPerUser: refresh.maxSessionsPerUser,
    secret,
    pruneRevokedAfter: refresh.pruneRevokedAfter,
  });
}

/**
 * Every provider of {@link AuthModule}: the options as validated, the clock, the keys, the
 * verifier and the one authenticator, the stores under their contracts' tokens, the refresh
 * sessions, `TokenService` and the guards. `RefreshTokenStore` and `RefreshSessions` are
 * `null` when refresh tokens are off.
 */
export const AUTH_PROVIDERS: readonly Provider[] = [
  { provide: AUTH_CLOCK, useValue: systemClock },
  {
    provide: AUTH_OPTIONS,
    useFactory: (options: AuthModuleOptions) => resolveAuthOptions(options),
    inject: [AUTH_MODULE_OPTIONS],
  },
  {
    provide: AUTH_KEY_RING,
    useFactory: (options: ResolvedAuthOptions, clock: Clock) => {
      const logger = new Logger('KeyRotation');
      return createKeyRing(keyRingConfig(options), clock, (message) => logger.warn(message));
    },
    inject: [AUTH_OPTIONS, AUTH_CLOCK],
  },
  {
    provide: ACCESS_TOKEN_VERIFIER,
    useFactory: (options: ResolvedAuthOptions, keyRing: KeyRing, clock: Clock) =>
      createAccessTokenVerifier(verifierConfig(options), keyRing, clock),
    inject: [AUTH_OPTIONS, AUTH_KEY_RING, AUTH_CLOCK],
  },
  {
    provide: RevocationStore,
    useFactory: (options: ResolvedAuthOptions) =>
      options.revocation.store ?? new MemoryRevocationStore(),
    inject: [AUTH_OPTIONS],
  },
  {
    provide: AccessTokenAuthenticator,
    useFactory: (verifier: AccessTokenVerifier, revocations: RevocationStore, clock: Clock) =>
      new AccessTokenAuthenticator(verifier, revocations, clock),
    inject: [ACCESS_TOKEN_VERIFIER, RevocationStore, AUTH_CLOCK],
  },
  {
    provide: RefreshTokenStore,
    useFactory: (options: ResolvedAuthOptions) => options.refresh?.store ?? null,
    inject: [AUTH_OPTIONS],
  },
  SessionRevocationListener,
  {
    provide: RefreshSessions,
    useFactory: (
      options: ResolvedAuthOptions,
      keyRing: KeyRing,
      store: RefreshTokenStore | null,
      clock: Clock,
      listener: SessionRevocationListener,
    ) => {
      const config = refreshSessionsConfig(options, keyRing);
      return config === null || store === null
        ? null
        : new RefreshSessions(store, config, clock, listener);
    },
    inject: [AUTH_OPTIONS, AUTH_KEY_RING, RefreshTokenStore, AUTH_CLOCK, SessionRevocationListener],
  },
  TokenService,
  AccessTokenGuard,
  RolesGuard,
];

/** What {@link AuthModule} exports to the app. */
export const AUTH_EXPORTS = [
  AUTH_OPTIONS,
  AUTH_CLOCK,
  RevocationStore,
  RefreshTokenStore,
  AccessTokenAuthenticator,
  TokenService,
  AccessTokenGuard,
  RolesGuard,
] as const;
