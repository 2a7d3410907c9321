import {
  Inject,
  Injectable,
  Module,
  UnauthorizedException,
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
} from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { importSPKI, jwtVerify, type CryptoKey, type JWTPayload } from 'jose';
import { BENCH_AUDIENCE, BENCH_ISSUER, type BenchKeyMaterial } from '../../support/bench-keys.js';
import { BENCH_KEY_MATERIAL, keyMaterialProvider } from './bench-key-material.js';
import { IS_PUBLIC_KEY } from './bench-public.decorator.js';
import { RequestUserController } from './request-user.controller.js';

const VERIFY_KEY = Symbol('VERIFY_KEY');

interface GuardedRequest {
  headers: Record<string, string | string[] | undefined>;
  user?: JWTPayload;
}

/** What a careful developer writes by hand: the key imported once, `jwtVerify` per request. */
@Injectable()
class JoseGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(VERIFY_KEY) private readonly key: CryptoKey | Uint8Array,
    @Inject(BENCH_KEY_MATERIAL) private readonly material: BenchKeyMaterial,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic === true) return true;
    const request = context.switchToHttp().getRequest<GuardedRequest>();
    const header = request.headers.authorization;
    if (typeof header !== 'string' || !header.startsWith('Bearer '))
      throw new UnauthorizedException();
    try {
      const { payload } = await jwtVerify(header.slice(7), this.key, {
        algorithms: [this.material.algorithm],
        issuer: BENCH_ISSUER,
        audience: BENCH_AUDIENCE,
        typ: 'at+jwt',
        requiredClaims: ['exp', 'iat', 'sub', 'jti'],
      });
      request.user = payload;
      return true;
    } catch {
      throw new UnauthorizedException();
    }
  }
}

/** (d) A plain jose guard. */
export function joseGuardApp(material: BenchKeyMaterial): DynamicModule {
  @Module({
    controllers: [RequestUserController],
    providers: [
      keyMaterialProvider(material),
      {
        provide: VERIFY_KEY,
        useFactory: () =>
          material.secret === undefined
            ? importSPKI(material.publicKeyPem!, material.algorithm)
            : new TextEncoder().encode(material.secret),
      },
      { provide: APP_GUARD, useClass: JoseGuard },
    ],
  })
  class JoseGuardAppModule {}
  return { module: JoseGuardAppModule };
}
