import { describe, expect, it } from 'vitest';
import type { AccessTokenClaims } from '../../../lib/access-token/access-token-claims.js';
import { AccessTokenRevokedError } from '../../../lib/auth.errors.js';
import { JoseJwtStrategy } from '../../../lib/passport/jose-jwt.strategy.js';

const claims = Object.freeze({ sub: 'u1', roles: [] }) as unknown as AccessTokenClaims;

function strategyWith(verify: (token: string) => AccessTokenClaims | Promise<AccessTokenClaims>) {
  const outcome: { success?: unknown; fail?: [string, number]; error?: unknown } = {};
  const strategy = new JoseJwtStrategy(
    { verify, extractors: [(request) => (request.headers['x-token'] as string) ?? null] },
    (verified, done) => done(null, verified),
  );
  Object.assign(strategy, {
    success: (user: unknown) => (outcome.success = user),
    fail: (challenge: string, status: number) => (outcome.fail = [challenge, status]),
    error: (error: unknown) => (outcome.error = error),
  });
  return { strategy, outcome };
}

describe('JoseJwtStrategy', () => {
  it('succeeds within authenticate() when the module answers synchronously (a cached token)', () => {
    const { strategy, outcome } = strategyWith(() => claims);
    strategy.authenticate({ headers: { 'x-token': 't' } });
    expect(outcome.success).toBe(claims);
  });

  it('fails with 401 when a synchronous answer is a refusal', () => {
    const { strategy, outcome } = strategyWith(() => {
      throw new AccessTokenRevokedError();
    });
    strategy.authenticate({ headers: { 'x-token': 't' } });
    expect(outcome.fail?.[1]).toBe(401);
    expect(outcome.success).toBeUndefined();
  });

  it('waits for an asynchronous answer', async () => {
    const { strategy, outcome } = strategyWith(async () => claims);
    strategy.authenticate({ headers: { 'x-token': 't' } });
    expect(outcome.success).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
    expect(outcome.success).toBe(claims);
  });
});
