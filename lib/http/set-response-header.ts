interface ExpressLikeResponse {
  setHeader(name: string, value: string): unknown;
}
interface FastifyLikeReply {
  header(name: string, value: string): unknown;
}

/**
 * Sets a header on an Express or a Fastify response. Guards run before any interceptor, so
 * they cannot rely on `HttpAdapterHost` being the adapter of the current request in hybrid apps.
 */
export function setResponseHeader(response: unknown, name: string, value: string): void {
  if (response === null || typeof response !== 'object') return;
  if (typeof (response as FastifyLikeReply).header === 'function') {
    (response as FastifyLikeReply).header(name, value);
  } else if (typeof (response as ExpressLikeResponse).setHeader === 'function') {
    (response as ExpressLikeResponse).setHeader(name, value);
  }
}
