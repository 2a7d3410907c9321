import { Module, UseFilters, type INestApplication } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import {
  ConnectedSocket,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AccessTokenGuard,
  AUTH_CLOCK,
  AuthErrorFilter,
  AuthModule,
  CurrentUser,
  MemoryRefreshTokenStore,
  Public,
  Roles,
  TokenService,
} from '../../../lib/index.js';
import { SocketAuthenticator } from '../../../lib/websockets/index.js';
import { FixedClock } from '../../support/fixed-clock.js';
import { testAuthOptions } from '../../support/keys.js';

@WebSocketGateway({ namespace: 'guarded' })
class GuardedGateway implements OnGatewayInit {
  constructor(private readonly sockets: SocketAuthenticator) {}

  afterInit(server: Server): void {
    server.use(this.sockets.middleware());
  }

  @SubscribeMessage('whoami')
  whoami(@CurrentUser('sub') sub: string): string {
    return sub;
  }

  @Public()
  @SubscribeMessage('public-whoami')
  publicWhoami(@CurrentUser('sub') sub: string | undefined): string {
    return sub ?? 'anonymous';
  }

  @Roles('admin')
  @SubscribeMessage('admin')
  admin(): string {
    return 'admin ok';
  }
}

/** A gateway that accepts every connection and lets the guard judge each message. */
@UseFilters(AuthErrorFilter)
@WebSocketGateway({ namespace: 'open' })
class OpenGateway {
  constructor(private readonly tokens: TokenService) {}

  @SubscribeMessage('whoami')
  whoami(@CurrentUser('sub') sub: string): string {
    return sub;
  }

  @Public()
  @SubscribeMessage('public-whoami')
  publicWhoami(@CurrentUser('sub') sub: string | undefined): string {
    return sub ?? 'anonymous';
  }

  @Public()
  @SubscribeMessage('refresh')
  async refresh(@ConnectedSocket() _client: unknown): Promise<string> {
    await this.tokens.refresh('not-a-refresh-token');
    return 'never';
  }
}

/** Re-checks only once a minute: a socket it closes within a second was closed by the store's event. */
class EventDrivenSocketAuthenticator extends SocketAuthenticator {
  protected override readonly recheckInterval = 60_000;
}

interface Refusal {
  status: 'error';
  statusCode: number;
  code: string;
  message: string;
}

const connected = (socket: Socket): Promise<void> =>
  new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
const refused = (socket: Socket): Promise<{ message: string; data: unknown }> =>
  new Promise((resolve, reject) => {
    socket.once('connect', () => reject(new Error('connected')));
    socket.once('connect_error', (error: Error & { data?: unknown }) =>
      resolve({ message: error.message, data: error.data }),
    );
  });
/** The answer to a message: its ack, or the `exception` the server emitted instead. */
const send = (socket: Socket, event: string): Promise<{ ack: unknown } | { exception: Refusal }> =>
  new Promise((resolve) => {
    const onException = (exception: Refusal) => resolve({ exception });
    socket.once('exception', onException);
    socket.emit(event, {}, (ack: unknown) => {
      socket.off('exception', onException);
      resolve({ ack });
    });
  });
const refusal = (statusCode: number, code: string, message: string) => ({
  exception: { status: 'error', statusCode, code, message },
});

function connectError(message: string): { message: string; data: Refusal } {
  return { message, data: { status: 'error', statusCode: 401, code: 'UNAUTHENTICATED', message } };
}

describe('socket.io gateways', () => {
  const clock = new FixedClock(Date.now());
  let app: INestApplication;
  let tokens: TokenService;
  let base: string;
  const sockets: Socket[] = [];

  const connect = (namespace: string, options: Parameters<typeof io>[1] = {}): Socket => {
    const socket = io(`${base}/${namespace}`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...options,
    });
    sockets.push(socket);
    return socket;
  };
  const issue = async (roles: string[] = ['user']): Promise<string> =>
    (await tokens.issueAccessToken({ id: 'user-1', roles })).token;
  beforeAll(async () => {
    @Module({
      imports: [
        AuthModule.forRoot(
          testAuthOptions('ES256', {
            accessTokenTtl: '5m',
            refresh: {
              store: new MemoryRefreshTokenStore(),
              resolveUser: (id) => ({ id, roles: ['user'] }),
            },
          }),
        ),
      ],
      providers: [
        GuardedGateway,
        OpenGateway,
        { provide: SocketAuthenticator, useClass: EventDrivenSocketAuthenticator },
        { provide: APP_GUARD, useClass: AccessTokenGuard },
      ],
    })
    class GatewayModule {}
    const moduleRef = await Test.createTestingModule({ imports: [GatewayModule] })
      .overrideProvider(AUTH_CLOCK)
      .useValue(clock)
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    tokens = app.get(TokenService);
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });
  afterAll(async () => {
    await app.close();
  });

  describe('at connection', () => {
    it('accepts a token in auth.token or in the Authorization header', async () => {
      const token = await issue();
      const byAuth = connect('guarded', { auth: { token } });
      await connected(byAuth);
      expect(await send(byAuth, 'whoami')).toEqual({ ack: 'user-1' });
      const byHeader = connect('guarded', { extraHeaders: { authorization: `Bearer ${token}` } });
      await connected(byHeader);
      expect(await send(byHeader, 'whoami')).toEqual({ ack: 'user-1' });
    });

    it('refuses a connection without a token, with a bad or an expired token', async () => {
      expect(await refused(connect('guarded'))).toEqual(connectError('Missing access token'));
      expect(await refused(connect('guarded', { auth: { token: 'not-a-jwt' } }))).toEqual(
        connectError('Invalid access token'),
      );
      const token = await issue();
      clock.advance(6 * 60);
      try {
        expect(await refused(connect('guarded', { auth: { token } }))).toEqual(
          connectError('Access token expired'),
        );
      } finally {
        clock.advance(-6 * 60);
      }
    });

    it('refuses a connection whose auth.token and Authorization header differ', async () => {
      const token = await issue();
      const other = await issue(['admin']);
      const socket = connect('guarded', {
        auth: { token },
        extraHeaders: { authorization: `Bearer ${other}` },
      });
      expect((await refused(socket)).data).toMatchObject({ code: 'UNAUTHENTICATED' });
    });

    it('closes a connection at once when its session is revoked: the revocation store announces it', async () => {
      const pair = await tokens.issueTokens({ id: 'user-1', roles: ['user'] });
      const socket = connect('guarded', { auth: { token: pair.accessToken } });
      await connected(socket);
      const closed = new Promise<{ exception: unknown; reason: string }>((resolve) => {
        let exception: unknown;
        socket.once('exception', (payload: unknown) => (exception = payload));
        socket.once('disconnect', (reason) => resolve({ exception, reason }));
      });
      await tokens.logout(pair.refreshToken);
      const started = Date.now();
      expect(await closed).toEqual({
        exception: {
          status: 'error',
          statusCode: 401,
          code: 'UNAUTHENTICATED',
          message: 'Invalid access token',
        },
        reason: 'io server disconnect',
      });
      // The re-check timer runs once a minute here: only the store's event can be this quick.
      expect(Date.now() - started).toBeLessThan(1000);
    });
  });

  describe('per message', () => {
    it('refuses a message with a WsException once the token has expired', async () => {
      const socket = connect('guarded', { auth: { token: await issue() } });
      await connected(socket);
      clock.advance(6 * 60);
      try {
        expect(await send(socket, 'whoami')).toEqual(
          refusal(401, 'UNAUTHENTICATED', 'Access token expired'),
        );
      } finally {
        clock.advance(-6 * 60);
      }
      expect(await send(socket, 'whoami')).toEqual({ ack: 'user-1' });
    });

    it('refuses a message without the role with FORBIDDEN', async () => {
      const socket = connect('guarded', { auth: { token: await issue(['user']) } });
      await connected(socket);
      expect(await send(socket, 'admin')).toEqual(refusal(403, 'FORBIDDEN', 'Insufficient role'));
      const admin = connect('guarded', { auth: { token: await issue(['admin']) } });
      await connected(admin);
      expect(await send(admin, 'admin')).toEqual({ ack: 'admin ok' });
    });

    it('refuses messages without a token or with a bad one on a gateway that accepts everyone', async () => {
      const anonymous = connect('open');
      await connected(anonymous);
      expect(await send(anonymous, 'whoami')).toEqual(
        refusal(401, 'UNAUTHENTICATED', 'Missing access token'),
      );
      expect(await send(anonymous, 'public-whoami')).toEqual({ ack: 'anonymous' });
      const bad = connect('open', { auth: { token: 'not-a-jwt' } });
      await connected(bad);
      expect(await send(bad, 'whoami')).toEqual(
        refusal(401, 'UNAUTHENTICATED', 'Invalid access token'),
      );
    });

    it('refuses a message after logout, and a @Public() message no longer sees the user', async () => {
      const pair = await tokens.issueTokens({ id: 'user-1', roles: ['user'] });
      const socket = connect('open', { auth: { token: pair.accessToken } });
      await connected(socket);
      expect(await send(socket, 'whoami')).toEqual({ ack: 'user-1' });
      await tokens.logout(pair.refreshToken);
      expect(await send(socket, 'whoami')).toEqual(
        refusal(401, 'UNAUTHENTICATED', 'Invalid access token'),
      );
      expect(await send(socket, 'public-whoami')).toEqual({ ack: 'anonymous' });
    });

    it('renders the AuthErrors a handler throws through AuthErrorFilter', async () => {
      const socket = connect('open');
      await connected(socket);
      expect(await send(socket, 'refresh')).toEqual(
        refusal(401, 'UNAUTHENTICATED', 'Invalid refresh token'),
      );
    });
  });
});
