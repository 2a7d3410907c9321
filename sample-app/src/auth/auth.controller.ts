import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Post,
  Req,
  Res,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import {
  CsrfOriginCheck,
  CurrentUser,
  Public,
  RefreshCookie,
  RefreshTokenInvalidError,
  requestsCookieTransport,
  TokenService,
  type AccessTokenClaims,
  type CookieResponse,
  type OriginCheckRequest,
  type SessionInfo,
  type TokenPair,
} from '../../../lib/index.js';
import { requestContext, type ClientRequest } from '../http/request-context.js';
import { ErrorDto, SessionDto, TokenPairDto, UserDto } from '../openapi/api-models.js';
import type { PublicUser } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { LoginDto, RegisterDto } from './dto/credentials.dto.js';
import { RefreshTokenDto } from './dto/refresh-token.dto.js';

/** One session of the caller, as `GET /auth/sessions` lists it. */
export interface SessionView extends SessionInfo {
  /** Whether the access token of this request belongs to this session (its `sid`). */
  readonly current: boolean;
}

const COOKIE_MODE_HEADER = {
  name: 'X-Refresh-Transport',
  required: false,
  description:
    '`cookie`: browser cookie mode. The refresh token travels in an HttpOnly cookie ' +
    '(Path=/auth), not in the body; refresh and logout read it from there when the body has none.',
} as const;

/** A request as the auth routes read it: client context, cookies, the CSRF check's fields. */
type AuthRequest = ClientRequest & OriginCheckRequest;

/** A token response in cookie mode: the refresh token travels in the cookie only. */
export type CookieModeTokenPair = Omit<TokenPair, 'refreshToken'>;

/**
 * Registration, login, refresh, logout and the caller's sessions. Browser pages ask for cookie
 * mode with `X-Refresh-Transport: cookie` (contract, "Browser clients").
 */
@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokenService,
    private readonly cookie: RefreshCookie,
    private readonly csrf: CsrfOriginCheck,
  ) {}

  /** Creates an account with the `user` role. */
  @ApiCreatedResponse({ type: UserDto })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiConflictResponse({ type: ErrorDto, description: 'Email taken' })
  @ApiTooManyRequestsResponse({ type: ErrorDto })
  @Public()
  @UseGuards(ThrottlerGuard)
  @Post('register')
  async register(@Body() body: RegisterDto): Promise<PublicUser> {
    const user = await this.users.register(body.email, body.password);
    if (user === null) {
      throw new ConflictException('Email already registered');
    }
    return user;
  }

  /** Exchanges email and password for a token pair, opening a session. */
  @ApiOkResponse({ type: TokenPairDto })
  @ApiUnauthorizedResponse({
    type: ErrorDto,
    description: 'Wrong email or password (one answer for both)',
  })
  @ApiTooManyRequestsResponse({ type: ErrorDto })
  @ApiHeader(COOKIE_MODE_HEADER)
  @Public()
  @UseGuards(ThrottlerGuard)
  @Post('login')
  @HttpCode(200)
  // RFC 6749 section 5.1: token responses must not be cached.
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  async login(
    @Body() body: LoginDto,
    @Req() request: AuthRequest,
    @Res({ passthrough: true }) response: CookieResponse,
  ): Promise<TokenPair | CookieModeTokenPair> {
    const user = await this.users.verifyCredentials(body.email, body.password);
    if (user === null) {
      throw new UnauthorizedException('Invalid email or password');
    }
    const pair = await this.tokens.issueTokens(
      { id: user.id, roles: user.roles },
      requestContext(request),
    );
    return requestsCookieTransport(request) ? this.cookie.issue(response, pair) : pair;
  }

  /** Rotates a refresh token; a spent one within the grace window gets the same successor. */
  @ApiOkResponse({ type: TokenPairDto })
  @ApiUnauthorizedResponse({
    type: ErrorDto,
    description: 'Unknown, expired, revoked or reused refresh token',
  })
  // Not rate-limited: racing tabs and many users behind one address refresh legitimately, and
  // a refresh token is 256 bits from a CSPRNG, not a guessable credential (sample-app contract).
  @ApiForbiddenResponse({ type: ErrorDto, description: 'Cookie-carried request refused (CSRF)' })
  @ApiHeader(COOKIE_MODE_HEADER)
  @Public()
  @Post('refresh')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  async refresh(
    @Body() body: RefreshTokenDto,
    @Req() request: AuthRequest,
    @Res({ passthrough: true }) response: CookieResponse,
  ): Promise<TokenPair | CookieModeTokenPair> {
    const cookieMode = requestsCookieTransport(request);
    const refreshToken = this.presentedRefreshToken(body, request);
    if (refreshToken === null) {
      // A page whose cookie expired or was never set: log in again, as for an unknown token.
      if (cookieMode) throw new RefreshTokenInvalidError();
      throw new BadRequestException('refreshToken must be a string');
    }
    const pair = await this.tokens.refresh(refreshToken, requestContext(request));
    return cookieMode ? this.cookie.issue(response, pair) : pair;
  }

  /** Ends the session of a refresh token. Unknown tokens get the same 204: no oracle. */
  @ApiNoContentResponse()
  @ApiForbiddenResponse({ type: ErrorDto, description: 'Cookie-carried request refused (CSRF)' })
  @ApiHeader(COOKIE_MODE_HEADER)
  @Public()
  @Post('logout')
  @HttpCode(204)
  async logout(
    @Body() body: RefreshTokenDto,
    @Req() request: AuthRequest,
    @Res({ passthrough: true }) response: CookieResponse,
  ): Promise<void> {
    const cookieMode = requestsCookieTransport(request);
    const refreshToken = this.presentedRefreshToken(body, request);
    if (refreshToken === null && !cookieMode) {
      throw new BadRequestException('refreshToken must be a string');
    }
    if (refreshToken !== null) await this.tokens.logout(refreshToken);
    if (cookieMode) this.cookie.clear(response);
  }

  /**
   * The body's refresh token, else the cookie's once the CSRF check passed (it throws a 403
   * before anything is spent or cleared); `null` when neither carries one.
   */
  private presentedRefreshToken(
    body: RefreshTokenDto | undefined,
    request: AuthRequest,
  ): string | null {
    if (body?.refreshToken !== undefined) return body.refreshToken;
    const fromCookie = this.cookie.read(request);
    if (fromCookie === null) return null;
    this.csrf.assert(request);
    return fromCookie;
  }

  /** Ends every session of the caller, this one included, and their live access tokens. */
  @ApiBearerAuth()
  @ApiNoContentResponse()
  @ApiUnauthorizedResponse({ type: ErrorDto })
  @Post('logout-all')
  @HttpCode(204)
  async logoutAll(@CurrentUser('sub') userId: string): Promise<void> {
    await this.tokens.revokeAllSessions(userId);
  }

  /** The caller's live sessions, most recently used first. */
  @ApiBearerAuth()
  @ApiOkResponse({ type: [SessionDto] })
  @ApiUnauthorizedResponse({ type: ErrorDto })
  @Get('sessions')
  async sessions(@CurrentUser() claims: AccessTokenClaims): Promise<SessionView[]> {
    const sessions = await this.tokens.listSessions(claims.sub);
    return sessions.map((session) => ({
      id: session.id,
      createdAt: session.createdAt,
      lastUsedAt: session.lastUsedAt,
      expiresAt: session.expiresAt,
      userAgent: session.userAgent,
      ip: session.ip,
      current: session.id === claims.sid,
    }));
  }

  /** Ends one session of the caller (sign out a device). */
  @ApiBearerAuth()
  @ApiNoContentResponse()
  @ApiUnauthorizedResponse({ type: ErrorDto })
  @ApiNotFoundResponse({
    type: ErrorDto,
    description: 'No live session with this id belongs to the caller',
  })
  @Delete('sessions/:id')
  @HttpCode(204)
  async revokeSession(
    @CurrentUser('sub') userId: string,
    @Param('id') sessionId: string,
  ): Promise<void> {
    await this.tokens.revokeSession(userId, sessionId);
  }
}
