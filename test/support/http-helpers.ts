import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';
import { expect } from 'vitest';
import type { TokenPair } from '../../lib/index.js';

/** A fresh, unique email address. */
export function newEmail(prefix = 'user'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}@example.com`;
}

/** Registers a user and returns its id, asserting 201. */
export async function register(
  server: Server,
  email: string,
  password = 'password-123',
): Promise<string> {
  const response = await request(server)
    .post('/auth/register')
    .send({ email, password })
    .expect(201);
  return (response.body as { id: string }).id;
}

/** Logs in, asserting 200, and returns the token pair. */
export async function login(
  server: Server,
  email: string,
  password = 'password-123',
  userAgent = 'vitest',
): Promise<TokenPair> {
  const response = await request(server)
    .post('/auth/login')
    .set('User-Agent', userAgent)
    .send({ email, password })
    .expect(200);
  return response.body as TokenPair;
}

/** Registers and logs in a new user. */
export async function signUp(
  server: Server,
  prefix = 'user',
): Promise<{ id: string; email: string; tokens: TokenPair }> {
  const email = newEmail(prefix);
  const id = await register(server, email);
  return { id, email, tokens: await login(server, email) };
}

/** Asserts the contract's error body: exactly `{ statusCode, error, message }`, all strings but the status. */
export function expectErrorBody(body: unknown, statusCode: number): void {
  expect(Object.keys(body as object).toSorted()).toEqual(['error', 'message', 'statusCode']);
  const { error, message } = body as { error: unknown; message: unknown };
  expect((body as { statusCode: unknown }).statusCode).toBe(statusCode);
  expect(typeof error).toBe('string');
  expect(typeof message).toBe('string');
}

/** `Authorization` header value for an access token. */
export function bearer(tokens: Pick<TokenPair, 'accessToken'>): string {
  return `Bearer ${tokens.accessToken}`;
}

/** Presents a refresh token in the body; returns the response. */
export function refreshWith(server: Server, refreshToken: unknown): request.Test {
  return request(server).post('/auth/refresh').send({ refreshToken });
}
