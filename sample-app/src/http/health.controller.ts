import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../../../lib/index.js';

/** Liveness: answers as soon as the app listens, without touching the database. */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  /** `200 { "status": "ok" }` */
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  @Get()
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
