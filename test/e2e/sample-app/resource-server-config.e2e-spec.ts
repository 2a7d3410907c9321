import { describe, expect, it } from 'vitest';
import { loadResourceServerConfig } from '../../../sample-app/resource-server/resource-server-config.js';
import { SampleConfigError } from '../../../sample-app/src/sample-config.js';

describe('resource-server example: environment', () => {
  it('defaults to the sample issuer on 127.0.0.1:3000 and the library JWKS defaults', () => {
    expect(loadResourceServerConfig({})).toEqual({
      port: 3001,
      host: '127.0.0.1',
      jwksUrl: 'http://127.0.0.1:3000/.well-known/jwks.json',
      issuer: 'http://localhost:3000',
      audience: 'sample-api',
      algorithm: 'ES256',
      jwksCacheMaxAge: 600,
      jwksCooldown: 30,
      clockTolerance: 5,
      accessTokenTtl: 900,
    });
  });

  it('derives the JWKS URL and the default iss from ISSUER_URL; explicit variables win', () => {
    const derived = loadResourceServerConfig({ ISSUER_URL: 'http://127.0.0.1:4000/' });
    expect(derived.jwksUrl).toBe('http://127.0.0.1:4000/.well-known/jwks.json');
    expect(derived.issuer).toBe('http://localhost:4000');
    const explicit = loadResourceServerConfig({
      ISSUER_URL: 'https://auth.example.com',
      AUTH_JWKS_URL: 'https://keys.example.com/jwks.json',
      AUTH_ISSUER: 'https://auth.example.com',
      AUTH_JWKS_CACHE_MAX_AGE: '2m',
      AUTH_JWKS_COOLDOWN: '10',
    });
    expect(explicit).toMatchObject({
      jwksUrl: 'https://keys.example.com/jwks.json',
      issuer: 'https://auth.example.com',
      jwksCacheMaxAge: 120,
      jwksCooldown: 10,
    });
  });

  it('lists every bad variable at once', () => {
    let error: unknown;
    try {
      loadResourceServerConfig({
        PORT: 'http',
        AUTH_JWKS_URL: 'not a url',
        AUTH_ALG: 'HS256',
        AUTH_JWKS_CACHE_MAX_AGE: '0s',
        AUTH_JWKS_COOLDOWN: 'soon',
      });
    } catch (cause) {
      error = cause;
    }
    expect(error).toBeInstanceOf(SampleConfigError);
    expect((error as SampleConfigError).problems.map((problem) => problem.split(':')[0])).toEqual([
      'PORT',
      'AUTH_JWKS_URL',
      'AUTH_ALG',
      'AUTH_JWKS_CACHE_MAX_AGE',
      'AUTH_JWKS_COOLDOWN',
    ]);
  });
});
