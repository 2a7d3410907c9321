import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type ExecutionContext,
} from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { BenchKeyMaterial } from '../../support/bench-keys.js';
import { BENCH_KEY_MATERIAL, keyMaterialProvider } from './bench-key-material.js';
import { IS_PUBLIC_KEY } from './bench-public.decorator.js';
import { RequestUserController } from './request-user.controller.js';

type Claims = Record<string, unknown>;

/**
 * The Nest docs' `JwtStrategy` (Authentication > Passport > "Implementing Passport JWT"), with
 * `secretOrKey` given as a string: the HS256 secret, or the SPKI PEM for ES256. jsonwebtoken
 * parses that string into a key on every request.
 */
@Injectable()
class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(@Inject(BENCH_KEY_MATERIAL) material: BenchKeyMaterial) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      ignoreExpiration: false,
      secretOrKey: material.secret ?? material.publicKeyPem!,
    });
  }

  // The docs return `{ userId, username }`; the claims are returned whole here so that /me
  // answers the same body in every app.
  validate(payload: Claims): Claims {
    return payload;
  }
}

/** The docs' global `JwtAuthGuard` ("Enable authentication globally"). */
@Injectable()
class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(
    context: ExecutionContext,
  ): ReturnType<InstanceType<ReturnType<typeof AuthGuard>>['canActivate']> {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic === true) return true;
    return super.canActivate(context);
  }
}

/**
 * (b) The official recipe: @nestjs/jwt (for signing) + @nestjs/passport + passport-jwt.
 * jsonwebtoken 9 has no EdDSA, so the recipe runs for ES256 and HS256 only.
 */
export function nestRecipeApp(material: BenchKeyMaterial): DynamicModule {
  if (material.algorithm === 'EdDSA') throw new TypeError('jsonwebtoken 9 does not support EdDSA');
  const jwt =
    material.secret === undefined
      ? JwtModule.register({
          privateKey: material.privateKeyPem!,
          publicKey: material.publicKeyPem!,
          signOptions: { algorithm: 'ES256', expiresIn: '15m' },
        })
      : JwtModule.register({ secret: material.secret, signOptions: { expiresIn: '15m' } });
  @Module({
    imports: [PassportModule, jwt],
    controllers: [RequestUserController],
    providers: [
      keyMaterialProvider(material),
      JwtStrategy,
      { provide: APP_GUARD, useClass: JwtAuthGuard },
    ],
  })
  class NestRecipeAppModule {}
  return { module: NestRecipeAppModule };
}
