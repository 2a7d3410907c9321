import { Body, Controller, HttpCode, Post, UnauthorizedException, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { CurrentUser, TokenService } from '../../../lib/index.js';
import { ErrorDto } from '../openapi/api-models.js';
import { UsersService } from '../users/users.service.js';
import { ChangePasswordDto } from './dto/change-password.dto.js';

/** The caller's password. */
@ApiTags('auth')
@Controller('auth')
export class PasswordController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokenService,
  ) {}

  /**
   * Changes the caller's password and revokes every session of the caller, this one included,
   * with their live access tokens: a password change is how a user evicts whoever learnt the
   * old one (OWASP ASVS 3.3.3), so no session opened with it may survive.
   */
  @ApiBearerAuth()
  @ApiNoContentResponse({ description: 'Changed; every session is revoked, log in again' })
  @ApiBadRequestResponse({ type: ErrorDto })
  @ApiUnauthorizedResponse({ type: ErrorDto, description: 'No valid token, or wrong password' })
  @ApiTooManyRequestsResponse({ type: ErrorDto })
  // The current password is a credential: limited per address like login.
  @UseGuards(ThrottlerGuard)
  @Post('password')
  @HttpCode(204)
  async changePassword(
    @CurrentUser('sub') userId: string,
    @Body() body: ChangePasswordDto,
  ): Promise<void> {
    if (!(await this.users.changePassword(userId, body.currentPassword, body.newPassword))) {
      throw new UnauthorizedException('Invalid password');
    }
    await this.tokens.revokeAllSessions(userId);
  }
}
