import {
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
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import {
  CurrentUser,
  Public,
  TokenService,
  type AccessTokenClaims,
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

/** Registration, login, refresh, logout and the caller's sessions. */
@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokenService,
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
  @Public()
  @UseGuards(ThrottlerGuard)
  @Post('login')
  @HttpCode(200)
  // RFC 6749 section 5.1: token responses must not be cached.
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  async login(@Body() body: LoginDto, @Req() request: ClientRequest): Promise<TokenPair> {
    const user = await this.users.verifyCredentials(body.email, body.password);
    if (user === null) {
      throw new UnauthorizedException('Invalid email or password');
    }
    return this.tokens.issueTokens({ id: user.id, roles: user.roles }, requestContext(request));
  }

  /** Rotates a refresh token; a spent one within the grace window gets the same successor. */
  @ApiOkResponse({ type: TokenPairDto })
  @ApiUnauthorizedResponse({
    type: ErrorDto,
    description: 'Unknown, expired, revoked or reused refresh token',
  })
  // Not rate-limited: racing tabs and many users behind one address refresh legitimately, and
  // a refresh token is 256 bits from a CSPRNG, not a guessable credential (sample-app contract).
  @Public()
  @Post('refresh')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  async refresh(@Body() body: RefreshTokenDto, @Req() request: ClientRequest): Promise<TokenPair> {
    return this.tokens.refresh(body.refreshToken, requestContext(request));
  }

  /** Ends the session of a refresh token. Unknown tokens get the same 204: no oracle. */
  @ApiNoContentResponse()
  @Public()
  @Post('logout')
  @HttpCode(204)
  async logout(@Body() body: RefreshTokenDto): Promise<void> {
    await this.tokens.logout(body.refreshToken);
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
