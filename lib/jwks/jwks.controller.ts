import { Controller, Get, Header } from '@nestjs/common';
import type { JWK } from 'jose';
import { Public } from '../decorators/public.decorator.js';
import { TokenService } from '../token.service.js';

/**
 * Serves the public keys at `GET /.well-known/jwks.json` so any service, in any language,
 * can verify the access tokens. Add it to a module's `controllers`.
 *
 * @example
 * ```ts
 * @Module({ imports: [AuthModule.forRoot(options)], controllers: [JwksController] })
 * export class AppModule {}
 * ```
 */
@Public()
@Controller('.well-known')
export class JwksController {
  constructor(private readonly tokens: TokenService) {}

  /** The JWK Set: public members only, each key with `kid`, `alg` and `use: "sig"`. */
  @Get('jwks.json')
  // Bounded caching: consumers pick up a new key within five minutes (RFC 7517 section 8.5 media type).
  @Header('Cache-Control', 'public, max-age=300')
  @Header('Content-Type', 'application/jwk-set+json')
  jwks(): { readonly keys: readonly JWK[] } {
    return this.tokens.getJwks();
  }
}
