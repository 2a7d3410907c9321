/** A revocation: tokens matching it are refused until `expiresAt`, after which it is forgotten. */
export type RevocationEntry =
  /** One access token, by its `jti`. */
  | { readonly kind: 'token'; readonly id: string; readonly expiresAt: number }
  /** Every access token of one session, by its `sid`. */
  | { readonly kind: 'session'; readonly id: string; readonly expiresAt: number }
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
 * Where access-token revocations live. `isRevoked` runs on every guarded request, so it is
 * synchronous and answers from local state; shared stores keep that state current from
 * their backend (see `RedisRevocationStore`). `expiresAt` is in milliseconds.
 */
export interface RevocationStore {
  /** Records a revocation, locally and in the backend. */
  revoke(entry: RevocationEntry): Promise<void>;
  /** Whether a verified token is revoked. Must not throw. */
  isRevoked(subject: RevocationSubject, nowMs: number): boolean;
  /** Loads existing revocations and subscribes to new ones. Called once at start-up. */
  init?(): Promise<void>;
  /** Releases connections. Called at shutdown. */
  close?(): Promise<void>;
}

/** DI token of the {@link RevocationStore} in use. */
export const RevocationStore = Symbol('RevocationStore');
