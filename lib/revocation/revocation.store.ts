import type { Clock } from '../clock.js';

/** A revocation: tokens matching it are refused until `expiresAt`, after which it is forgotten. */
export type RevocationEntry =
  /** One access token, by its `jti`. */
  | { readonly kind: 'token'; readonly id: string; readonly expiresAt: number }
  /**
   * Every access token of one session, by its `sid`, issued at or before `issuedBefore`
   * (seconds). `expiresAt` must lie at least one access-token lifetime plus the clock tolerance
   * after `issuedBefore`, so no token it names outlives it (see {@link sessionRevocation}).
   */
  | {
      readonly kind: 'session';
      readonly id: string;
      readonly issuedBefore: number;
      readonly expiresAt: number;
    }
  /** Every access token of a user issued at or before `issuedBefore` (seconds), by its `sub`. */
  | {
      readonly kind: 'subject';
      readonly id: string;
      readonly issuedBefore: number;
      readonly expiresAt: number;
    };

/** The claims a revocation check looks at. */
export interface RevocationSubject {
  readonly jti: string;
  readonly sub: string;
  readonly iat: number;
  readonly sid?: string;
}

/**
 * What `TokenService` tells a store at start-up: the module's clock and token lifetimes, so a
 * store can expire entries on the same clock and refuse entries (from a shared backend) that
 * claim more than a revocation ever needs.
 */
export interface RevocationStoreContext {
  readonly clock: Clock;
  /** Access-token lifetime, in seconds. */
  readonly accessTokenTtl: number;
  /** Clock tolerance, in seconds. */
  readonly clockTolerance: number;
}

/**
 * Where access-token revocations live. `isRevoked` runs on every guarded request, so it is
 * synchronous and answers from local state in O(1); shared stores keep that state current from
 * their backend (see `RedisRevocationStore`). `expiresAt` is in milliseconds.
 */
export interface RevocationStore {
  /**
   * Records a revocation, locally at once and in the backend. A store whose backend is
   * unreachable should keep the entry and deliver it later rather than reject: `TokenService`
   * logs a rejection and carries on (the session itself is already revoked).
   */
  revoke(entry: RevocationEntry): Promise<void>;
  /**
   * Whether a verified token is revoked. Throws nothing but a `RevocationUnavailableError`, and
   * that only from a store configured to refuse tokens while it cannot know.
   */
  isRevoked(subject: RevocationSubject, nowMs: number): boolean;
  /**
   * Calls `listener` with every revocation this instance learns of, its own and (for shared
   * stores) other instances', as soon as it applies. Optional: consumers that hold a token
   * open for long (a WebSocket connection) use it to act at once instead of polling.
   * @returns a function that removes the listener
   */
  onRevoke?(listener: (entry: RevocationEntry) => void): () => void;
  /** Loads existing revocations and subscribes to new ones. Called once at start-up. */
  init?(context?: RevocationStoreContext): Promise<void>;
  /** Releases connections. Called at shutdown. */
  close?(): Promise<void>;
}

/** DI token of the {@link RevocationStore} in use. */
export const RevocationStore = Symbol('RevocationStore');
