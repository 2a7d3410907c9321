/** The parts of an Express or Fastify request the sample app reads. */
export interface ClientRequest {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly ip?: string;
}

/**
 * Where a token request comes from, stored with the session (`GET /auth/sessions`).
 * `ip` is the socket address: behind a proxy, configure the engine's trust-proxy setting.
 */
export function requestContext(request: ClientRequest): {
  userAgent: string | null;
  ip: string | null;
} {
  const userAgent = request.headers['user-agent'];
  return { userAgent: typeof userAgent === 'string' ? userAgent : null, ip: request.ip ?? null };
}
