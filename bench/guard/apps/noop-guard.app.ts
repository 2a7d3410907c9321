import {
  Controller,
  Get,
  Injectable,
  Module,
  type CanActivate,
  type DynamicModule,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';

/** Allows everything: the floor of what any global guard costs. */
@Injectable()
class NoopGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

// The same claims object the other apps return, so responses weigh the same.
const CLAIMS = Object.freeze({
  roles: ['user'],
  sid: 'session-1',
  iss: 'https://auth.bench.test',
  aud: 'bench-api',
  sub: '1000',
  iat: 1_700_000_000,
  exp: 1_700_003_600,
  jti: '00000000-0000-4000-8000-000000000000',
});

@Controller()
class NoopController {
  @Get('health')
  health(): { status: string } {
    return { status: 'ok' };
  }

  @Get('me')
  me(): typeof CLAIMS {
    return CLAIMS;
  }
}

/** (c) A global guard that does nothing. */
export function noopGuardApp(): DynamicModule {
  @Module({
    controllers: [NoopController],
    providers: [{ provide: APP_GUARD, useClass: NoopGuard }],
  })
  class NoopGuardAppModule {}
  return { module: NoopGuardAppModule };
}
