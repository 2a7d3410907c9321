// nest-hybrid-auth/verifier: the access-token verification of AuthModule without Nest, for a
// gateway, a script or a worker that checks tokens: the options validated as the module
// validates them, the keys imported once, every claim pinned. It checks no revocation (that
// needs the app's revocation store; use AuthModule and TokenService for it).

export { resolveAuthOptions } from '../options/resolve-auth-options.js';
export { systemClock } from '../clock.js';
export type { Clock } from '../clock.js';
export { createKeyRing } from '../keys/key-ring.js';
export type { AccessTokenSigner, KeyMaterial, KeyRing, KeySet } from '../keys/key-ring.js';
export type {
  AccessTokenAlgorithm,
  KeyRingConfig,
  KeyRingKey,
  RemoteKeySetConfig,
} from '../keys/key-ring-config.js';
export { createAccessTokenVerifier } from '../access-token/verify-access-token.js';
export type {
  AccessTokenVerifier,
  AccessTokenVerifierConfig,
} from '../access-token/verify-access-token.js';
export type { VerifiedTokenCacheConfig } from '../access-token/verified-token-cache.js';
export type { AccessTokenClaims } from '../access-token/access-token-claims.js';
