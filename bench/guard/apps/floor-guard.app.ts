import {
  Controller,
  Get,
  Injectable,
  Module,
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthModule, CurrentUser, Public, type AccessTokenClaims } from '../../../lib/index.js';
import type { BenchKeyMaterial } from '../../support/bench-keys.js';
import { authModuleOptions } from './auth-module.app.js';

/**
 * The fair floor: this module's app with its guard replaced by one that only attaches the
 * claims the client's token carries (decoded once at start-up). Same module, same controller,
 * same header, same response body: what is left between it and (a) is the guard's own cost.
 */
function floorGuard(claims: AccessTokenClaims): new () => CanActivate {
  @Injectable()
  class ClaimsOnlyGuard implements CanActivate {
    canActivate(context: ExecutionContext): boolean {
      context.getArgByIndex<{ user?: unknown }>(0).user = claims;
      return true;
    }
  }
  return ClaimsOnlyGuard;
}

@Controller()
class FloorController {
  @Public()
  @Get('health')
  health(): { status: string } {
    return { status: 'ok' };
  }

  @Get('me')
  me(@CurrentUser() claims: AccessTokenClaims): AccessTokenClaims {
    return claims;
  }
}

/** (e) The floor: `AuthModule.forRoot` as in (a), with a claims-only global guard. */
export function floorGuardApp(
  material: BenchKeyMaterial,
  claims: AccessTokenClaims,
): DynamicModule {
  @Module({
    imports: [AuthModule.forRoot(authModuleOptions(material))],
    controllers: [FloorController],
    providers: [{ provide: APP_GUARD, useClass: floorGuard(claims) }],
  })
  class FloorGuardAppModule {}
  return { module: FloorGuardAppModule };
}
