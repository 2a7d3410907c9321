import type { KeyObject } from 'node:crypto';
import { CompactSign, type CryptoKey } from 'jose';
import type {
  AccessTokenAlgorithm,
  AuthModuleOptions,
} from '../../../lib/options/auth-module-options.js';
import { createKeyRing, type KeyRing } from '../../../lib/keys/key-ring.js';
import {
  signAccessToken,
  type AccessTokenInput,
  type SignedAccessToken,
} from '../../../lib/access-token/sign-access-token.js';
import {
  createAccessTokenVerifier,
  type AccessTokenVerifier,
} from '../../../lib/access-token/verify-access-token.js';
import type { ResolvedAuthOptions } from '../../../lib/options/auth-module-options.js';
import { resolveAuthOptions } from '../../../lib/options/resolve-auth-options.js';
import { FixedClock } from '../../support/fixed-clock.js';
import { signCompact, type ForgeAlgorithm, type JsonPart } from '../../support/forge.js';
import { testAuthOptions } from '../../support/keys.js';

/** Everything a signing/verification test needs, on a fixed clock. */
export interface AccessTokenKit {
  readonly clock: FixedClock;
  readonly options: ResolvedAuthOptions;
  readonly keyRing: KeyRing;
  readonly verifier: AccessTokenVerifier;
  /** Signs a token for `user-1` with role `user` at the clock's time. */
  sign(input?: Partial<AccessTokenInput>): Promise<SignedAccessToken>;
  /** Current time in seconds. */
  now(): number;
}

export async function createKit(
  alg: AccessTokenAlgorithm = 'ES256',
  overrides: Partial<AuthModuleOptions> = {},
  wrapKeyRing: (keyRing: KeyRing) => KeyRing = (keyRing) => keyRing,
): Promise<AccessTokenKit> {
  const clock = new FixedClock();
  const options = resolveAuthOptions(testAuthOptions(alg, overrides));
  const keyRing = wrapKeyRing(await createKeyRing(options));
  const verifier = createAccessTokenVerifier(options, keyRing, clock);
  return {
    clock,
    options,
    keyRing,
    verifier,
    sign: (input = {}) =>
      signAccessToken(
        keyRing,
        { sub: 'user-1', claims: { roles: ['user'] }, ...input },
        {
          issuer: options.issuer,
          audience: options.audience,
          ttl: options.accessTokenTtl,
          nowMs: clock.now(),
        },
      ),
    now: () => Math.floor(clock.now() / 1000),
  };
}

export { b64u } from '../../support/forge.js';

/**
 * A JWS over any header and payload, signed with `key`: the "[K]" tokens of the security
 * catalogue, which break policy while carrying a valid signature.
 */
export async function forge(
  header: Record<string, unknown> & { alg: string },
  payload: unknown,
  key: CryptoKey | KeyObject | Uint8Array,
): Promise<string> {
  const bytes = new TextEncoder().encode(
    typeof payload === 'string' ? payload : JSON.stringify(payload),
  );
  return new CompactSign(bytes).setProtectedHeader(header).sign(key);
}

/** A KeyRing that counts how often jose asked it for a key (i.e. how often a token was verified). */
export function countingKeyRing(keyRing: KeyRing): KeyRing & { readonly calls: () => number } {
  let calls = 0;
  return {
    ...keyRing,
    resolveKey: (header, input) => {
      calls += 1;
      return keyRing.resolveKey(header, input);
    },
    calls: () => calls,
  };
}

/**
 * Signs with node:crypto ({@link signCompact}), which (unlike jose) lets a test produce what
 * jose refuses to sign: a PS256 signature with an RSA key meant for RS256, or an unknown `crit`.
 */
export function forgeWithNodeCrypto(
  header: Record<string, unknown> & { alg: string },
  payload: JsonPart,
  key: KeyObject,
): string {
  return signCompact(header, payload, header.alg as ForgeAlgorithm, key);
}
