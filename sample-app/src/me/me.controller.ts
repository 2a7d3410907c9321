import { Controller, Get, UnauthorizedException } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { CurrentUser, type AccessTokenClaims } from '../../../lib/index.js';
import { ErrorDto, UserDto } from '../openapi/api-models.js';
import type { PublicUser } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';

/** The caller: from the database, and from the access token alone. */
@ApiTags('me')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ErrorDto })
@Controller('me')
export class MeController {
  constructor(private readonly users: UsersService) {}

  /** The caller's account, read from the database. */
  @ApiOkResponse({ type: UserDto })
  @Get()
  async me(@CurrentUser('sub') userId: string): Promise<PublicUser> {
    const user = await this.users.findById(userId);
    if (user === null) {
      // A valid token for an account deleted since: the token no longer names anyone.
      throw new UnauthorizedException('Unknown user');
    }
    return user;
  }

  /** The verified claims of the caller's access token: no database access, the stateless path. */
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true } })
  @Get('claims')
  claims(@CurrentUser() claims: AccessTokenClaims): AccessTokenClaims {
    return claims;
  }
}
