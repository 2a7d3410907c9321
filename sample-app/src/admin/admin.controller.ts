import { Controller, Get } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Roles } from '../../../lib/index.js';
import { ErrorDto, UserDto } from '../openapi/api-models.js';
import type { PublicUser } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';

/** Administration: requires the `admin` role in the access token. */
@ApiTags('admin')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ErrorDto })
@ApiForbiddenResponse({ type: ErrorDto, description: 'Valid token without the admin role' })
@Roles('admin')
@Controller('admin')
export class AdminController {
  constructor(private readonly users: UsersService) {}

  /** Every user. */
  @ApiOkResponse({ type: [UserDto] })
  @Get('users')
  async listUsers(): Promise<PublicUser[]> {
    return this.users.list();
  }
}
