/** Metadata key set by `@Public()`. */
export const IS_PUBLIC_KEY = 'auth:public';
/** Metadata key set by `@OptionalAuth()`. */
export const IS_OPTIONAL_AUTH_KEY = 'auth:optional';
/** Metadata key set by `@Roles()`. */
export const ROLES_KEY = 'auth:roles';

/** DI token of the validated, frozen {@link ResolvedAuthOptions}. */
export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');
/** DI token of the key ring imported at start-up. */
export const AUTH_KEY_RING = Symbol('AUTH_KEY_RING');
/** DI token of the access-token verifier. */
export const ACCESS_TOKEN_VERIFIER = Symbol('ACCESS_TOKEN_VERIFIER');
