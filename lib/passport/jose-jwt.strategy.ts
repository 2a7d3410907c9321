import { Strategy } from 'passport-strategy';
import { firstToken } from '../guards/first-token.js';
import type { AccessTokenClaims } from '../access-token/access-token-claims.js';
import {
  AccessTokenInvalidError,
  AccessTokenMissingError,
  type AuthError,
} from '../auth.errors.js';
import { authErrorToHttp, isInternalAuthHttpError } from '../http/auth-error-to-http.js';
import type { TokenCarrier, TokenExtractor } from '../options/auth-module-options.js';
import { recordAuthFailure } from './passport-auth-failure.js';

/** What {@link JoseJwtStrategy} needs: the module's verification path and extractors. */
export interface JoseJwtStrategyOptions {
  /** The module's authentication; may answer synchronously (a cached token). */
  readonly verify: (token: string) => AccessTokenClaims | Promise<AccessTokenClaims>;
  readonly extractors: readonly TokenExtractor[];
}

/** passport's verify callback: receives the verified claims, returns the user to attach. */
export type JoseJwtVerifyCallback = (
  claims: AccessTokenClaims,
  done: (error: unknown, user?: unknown, info?: unknown) => void,
) => void;

interface StrategyActions {
  success(user: unknown, info?: unknown): void;
  fail(challenge: string, status: number): void;
  error(error: unknown): void;
}

/**
 * A passport strategy named `jwt` whose verification is this module's jose path (pinned
 * algorithms, `typ`, every claim, revocation). passport-jwt's own `Strategy` verifies with
 * jsonwebtoken, so it is deliberately not used: only its extractors are (security catalogue J03).
 */
export class JoseJwtStrategy extends Strategy {
  name = 'jwt';

  constructor(
    private readonly strategyOptions: JoseJwtStrategyOptions,
    private readonly verifyCallback: JoseJwtVerifyCallback,
  ) {
    super();
  }

  private accept(request: TokenCarrier, actions: StrategyActions, claims: AccessTokenClaims): void {
    this.verifyCallback(claims, (error, user, info) => {
      if (error) actions.error(error);
      else if (!user) {
        recordAuthFailure(request, new AccessTokenInvalidError());
        actions.fail('Bearer error="invalid_token"', 401);
      } else actions.success(user, info);
    });
  }

  // JwtAuthGuard reads the recorded failure to answer expired and invalid apart (RFC 6750).
  private refuse(request: TokenCarrier, actions: StrategyActions, error: unknown): void {
    const mapped = authErrorToHttp(error);
    if (mapped === null || isInternalAuthHttpError(mapped)) actions.error(error);
    else {
      recordAuthFailure(request, error as AuthError);
      actions.fail(mapped.wwwAuthenticate ?? 'Bearer', mapped.status);
    }
  }

  override authenticate(request: TokenCarrier): void {
    const actions = this as unknown as StrategyActions;
    const token = firstToken(this.strategyOptions.extractors, request);
    if (token === null) {
      recordAuthFailure(request, new AccessTokenMissingError());
      actions.fail('Bearer', 401);
      return;
    }
    let claims: AccessTokenClaims | Promise<AccessTokenClaims>;
    try {
      claims = this.strategyOptions.verify(token);
    } catch (error) {
      this.refuse(request, actions, error);
      return;
    }
    if (claims instanceof Promise) {
      claims.then(
        (verified) => this.accept(request, actions, verified),
        (error: unknown) => this.refuse(request, actions, error),
      );
    } else {
      this.accept(request, actions, claims);
    }
  }
}
