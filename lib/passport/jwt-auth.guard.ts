import { Injectable, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import {
  AccessTokenInvalidError,
  AccessTokenMissingError,
  type AuthError,
} from '../auth.errors.js';
import { toAuthHttpException } from '../http/auth-http-exception.js';
import { takeAuthFailure } from './passport-auth-failure.js';

/**
 * `AuthGuard('jwt')` of `@nestjs/passport` with the refusals of `AccessTokenGuard`: 401 with
 * `WWW-Authenticate: Bearer` (bare without a token, `error="invalid_token"` with one, and
 * `error_description="The access token expired"` when it expired) and the same bodies
 * (`Missing access token`, `Invalid access token`, `Access token expired`). The plain
 * `AuthGuard('jwt')` answers every failure with a bare 401 and no challenge. Use it with
 * {@link JwtPassportStrategy}.
 *
 * @example
 * ```ts
 * @UseGuards(JwtAuthGuard, RolesGuard)
 * @Get('me') me(@CurrentUser() user: AccessTokenClaims) { return user; }
 * ```
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  /**
   * Returns the user passport authenticated, or throws the refusal for the context.
   * @throws HttpException 401 with the RFC 6750 challenge (a GraphQL error or `WsException` outside HTTP)
   */
  override handleRequest<TUser = unknown>(
    error: unknown,
    user: TUser | false | null,
    info: unknown,
    context: ExecutionContext,
  ): TUser {
    const request: unknown = this.getRequest(context);
    const failure =
      typeof request === 'object' && request !== null ? takeAuthFailure(request) : undefined;
    if (error) throw toAuthHttpException(context, error);
    if (user) return user;
    throw toAuthHttpException(context, failure ?? fallbackFailure(info));
  }
}

// Another `jwt` strategy (passport-jwt's own) reports through `info`: an Error without a
// token ("No auth token"), or the verification error.
function fallbackFailure(info: unknown): AuthError {
  if (info === undefined || info === 'Bearer') return new AccessTokenMissingError();
  if (info instanceof Error && info.message === 'No auth token')
    return new AccessTokenMissingError();
  return new AccessTokenInvalidError();
}
