import type { AuthSubject } from '../access-token/access-token-claims.js';
import { TokenService } from '../token.service.js';

/** What holds the app's providers: an `INestApplication` or a `TestingModule`. */
export interface ProviderSource {
  get<T>(type: abstract new (...args: never[]) => T): T;
}

/**
 * An access token for `user`, signed by the app's own `AuthModule`, without a login or a
 * session: for e2e tests of guarded routes. Send it as `Authorization: Bearer <token>`.
 *
 * @example
 * ```ts
 * const token = await mintAccessToken(app, { id: 'u1', roles: ['admin'] });
 * await request(app.getHttpServer()).get('/admin/users').auth(token, { type: 'bearer' }).expect(200);
 * ```
 * @throws SigningNotConfiguredError when the app only verifies tokens.
 */
export async function mintAccessToken(
  app: ProviderSource,
  user: AuthSubject,
  session: { sessionId?: string } = {},
): Promise<string> {
  const { token } = await app.get(TokenService).issueAccessToken(user, session);
  return token;
}
