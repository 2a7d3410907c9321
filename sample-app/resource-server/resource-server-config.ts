import { parseDuration } from '../src/config/parse-duration.js';
import { SampleConfigError, type SampleAlgorithm } from '../src/sample-config.js';

/** The validated configuration of the resource-server example; durations in seconds. */
export interface ResourceServerConfig {
  /** @default 3001 */
  readonly port: number;
  /** @default '127.0.0.1' */
  readonly host: string;
  /** `AUTH_JWKS_URL`. @default `${ISSUER_URL}/.well-known/jwks.json` */
  readonly jwksUrl: string;
  /** `AUTH_ISSUER`: the `iss` the issuer writes. @default `http://localhost:${port of ISSUER_URL}` (the sample's default) */
  readonly issuer: string;
  /** @default 'sample-api' */
  readonly audience: string;
  /** The one algorithm accepted (a remote key set pins one). @default 'ES256' */
  readonly algorithm: SampleAlgorithm;
  /** `AUTH_JWKS_CACHE_MAX_AGE`: how long a fetched key set is trusted. @default 600 (10m) */
  readonly jwksCacheMaxAge: number;
  /** `AUTH_JWKS_COOLDOWN`: least time between two fetches. @default 30 */
  readonly jwksCooldown: number;
  /** `AUTH_CLOCK_TOLERANCE`: skew allowed against the issuer's clock. @default 5 */
  readonly clockTolerance: number;
  /** `AUTH_ACCESS_TTL`: the issuer's access-token lifetime (longer-lived tokens are refused). @default 900 (15m) */
  readonly accessTokenTtl: number;
}

const ALGORITHMS: readonly SampleAlgorithm[] = ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'];

/**
 * Reads the resource server's environment.
 *
 * @throws {SampleConfigError} listing every invalid variable at once
 * @example const config = loadResourceServerConfig({ ISSUER_URL: 'http://127.0.0.1:3000' });
 */
export function loadResourceServerConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): ResourceServerConfig {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const duration = (name: string, fallback: string): number => {
    const text = read(name);
    const seconds = parseDuration(text ?? fallback);
    if (seconds === null || seconds <= 0) {
      problems.push(
        `${name}: expected a duration such as '30s', '10m' or plain seconds, got '${text}'`,
      );
      return parseDuration(fallback) ?? 1;
    }
    return seconds;
  };

  const portText = read('PORT') ?? '3001';
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) {
    problems.push(`PORT: expected an integer from 0 to 65535, got '${portText}'`);
  }
  const issuerUrl = (read('ISSUER_URL') ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  const jwksUrl = read('AUTH_JWKS_URL') ?? `${issuerUrl}/.well-known/jwks.json`;
  if (!URL.canParse(jwksUrl)) {
    problems.push(`AUTH_JWKS_URL: not a URL: '${jwksUrl}' (or set ISSUER_URL)`);
  }
  const algorithmText = read('AUTH_ALG') ?? 'ES256';
  const algorithm = ALGORITHMS.find((candidate) => candidate === algorithmText);
  if (algorithm === undefined) {
    problems.push(`AUTH_ALG: expected one of ${ALGORITHMS.join(', ')}, got '${algorithmText}'`);
  }
  const config: ResourceServerConfig = {
    port: Number.isNaN(port) ? 3001 : port,
    host: read('HOST') ?? '127.0.0.1',
    jwksUrl,
    // The sample app's own default `iss` is http://localhost:PORT, for the port it listens on.
    issuer: read('AUTH_ISSUER') ?? `http://localhost:${issuerPort(issuerUrl)}`,
    audience: read('AUTH_AUDIENCE') ?? 'sample-api',
    algorithm: algorithm ?? 'ES256',
    jwksCacheMaxAge: duration('AUTH_JWKS_CACHE_MAX_AGE', '10m'),
    jwksCooldown: duration('AUTH_JWKS_COOLDOWN', '30s'),
    clockTolerance: duration('AUTH_CLOCK_TOLERANCE', '5s'),
    accessTokenTtl: duration('AUTH_ACCESS_TTL', '15m'),
  };
  if (problems.length > 0) {
    throw new SampleConfigError(problems);
  }
  return Object.freeze(config);
}

function issuerPort(issuerUrl: string): string {
  if (!URL.canParse(issuerUrl)) return '3000';
  const url = new URL(issuerUrl);
  return url.port === '' ? (url.protocol === 'https:' ? '443' : '80') : url.port;
}
