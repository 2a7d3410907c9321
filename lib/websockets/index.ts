export { SocketAuthenticator, toSocketAuthError } from './socket-authenticator.js';
export type { AuthenticatableSocket, SocketAuthError } from './socket-authenticator.js';
export type { AuthWsErrorPayload } from '../http/auth-ws-exception.js';
