import { Controller, Get, Req } from '@nestjs/common';
import { Public } from './bench-public.decorator.js';

/**
 * `GET /health` (public) and `GET /me` returning what the guard put on `request.user`: the
 * controller of the comparison apps whose guards follow the Nest docs (recipe, plain jose).
 */
@Controller()
export class RequestUserController {
  @Public()
  @Get('health')
  health(): { status: string } {
    return { status: 'ok' };
  }

  @Get('me')
  me(@Req() request: { user?: Record<string, unknown> }): Record<string, unknown> | undefined {
    return request.user;
  }
}
