import type { Server } from 'node:http';
import {
  BadRequestException,
  Body,
  Catch,
  Controller,
  Get,
  HttpException,
  Post,
  ValidationPipe,
  type INestApplication,
  type LoggerService,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ExpressAdapter } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { IsEmail } from 'class-validator';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthErrorFilter,
  SessionNotFoundError,
  StoreUnavailableError,
} from '../../../lib/index.js';

const SECRET = "SELECT * FROM users WHERE password_hash = 'scrypt$16384$secret'";

class DatabaseDown extends Error {
  override readonly name = 'DatabaseDown';
  readonly code = 'ECONNREFUSED';
}

class EmailBody {
  @IsEmail()
  email!: string;
}

@Controller('boom')
class ThrowingController {
  @Get('error')
  error(): never {
    throw new Error(SECRET);
  }

  @Get('value')
  value(): never {
    throw { token: SECRET };
  }

  @Get('auth')
  auth(): never {
    throw new SessionNotFoundError();
  }

  @Get('unavailable')
  unavailable(): never {
    throw new StoreUnavailableError({ cause: new Error(SECRET) });
  }

  @Get('http')
  http(): never {
    throw new BadRequestException('Password too short');
  }

  @Get('http-object')
  httpObject(): never {
    throw new HttpException({ message: ['first', 'second'], extra: SECRET }, 422);
  }

  @Get('http-500')
  http500(): never {
    throw new HttpException(SECRET, 502);
  }

  @Get('database')
  database(): never {
    throw new DatabaseDown(SECRET);
  }

  @Post('validate')
  validate(@Body() body: EmailBody): EmailBody {
    return body;
  }
}

/** An app's own mapping through the hook. */
@Catch()
class AppErrorFilter extends AuthErrorFilter {
  protected override mapException(exception: unknown): unknown {
    return exception instanceof DatabaseDown
      ? new StoreUnavailableError({ cause: exception })
      : exception;
  }
}

class CollectingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown): void {
    this.lines.push(String(message));
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.lines.push(['[error]', message, ...rest].map(String).join(' '));
  }
  warn(message: unknown): void {
    this.lines.push(`[warn] ${String(message)}`);
  }
}

const ENGINES = [
  ['Express', () => new ExpressAdapter()],
  ['Fastify', () => new FastifyAdapter()],
] as const;

describe.each(ENGINES)('AuthErrorFilter on %s', (_engine, createAdapter) => {
  let app: INestApplication;
  let server: Server;
  const logger = new CollectingLogger();

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [ThrowingController],
      providers: [{ provide: APP_FILTER, useClass: AuthErrorFilter }],
    }).compile();
    app = moduleRef.createNestApplication(createAdapter(), { logger });
    app.useGlobalPipes(new ValidationPipe({ validationError: { target: false, value: false } }));
    await app.init();
    await (app.getHttpAdapter().getInstance() as { ready?: () => Promise<unknown> }).ready?.();
    server = app.getHttpServer() as Server;
  });
  afterAll(async () => {
    await app?.close();
  });

  it.each(['error', 'value'])(
    'answers a thrown %s with a bare 500, logged once by name without its message',
    async (kind) => {
      const before = logger.lines.length;
      const response = await request(server).get(`/boom/${kind}?access_token=abc`);
      expect(response.status).toBe(500);
      expect(response.body).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'Internal server error',
      });
      const logged = logger.lines.slice(before);
      expect(logged.filter((line) => line.includes(`GET /boom/${kind} failed`))).toEqual([
        expect.stringMatching(/^\[error\] /),
      ]);
      expect(logged.join('\n')).not.toContain('scrypt$');
      expect(logged.join('\n')).not.toContain('access_token');
      expect(logged.join('\n')).not.toMatch(/\n\s+at /);
    },
  );

  it('renders an AuthError by its code', async () => {
    const response = await request(server).get('/boom/auth');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Session not found',
    });
  });

  it('renders an unavailable store as 503 with Retry-After, logging the code only', async () => {
    const before = logger.lines.length;
    const response = await request(server).get('/boom/unavailable');
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.body.message).toBe('Service temporarily unavailable, retry later');
    const logged = logger.lines.slice(before).join('\n');
    expect(logged).toContain('StoreUnavailableError (ERR_AUTH_STORE_UNAVAILABLE)');
    expect(logged).not.toContain('scrypt$');
    // An outage the client is told to retry is a warning, not an error of the app.
    expect(logged).toMatch(/^\[warn\] GET \/boom\/unavailable failed/m);
    expect(logged).not.toContain('[error]');
  });

  it.each([
    ['http', 400, 'Password too short'],
    ['http-object', 422, 'first; second'],
    ['http-500', 502, 'Internal server error'],
  ])(
    'renders an HttpException (/boom/%s) as { statusCode, error, message }',
    async (path, status, message) => {
      const response = await request(server).get(`/boom/${path}`);
      expect(response.status).toBe(status);
      expect(Object.keys(response.body as object).toSorted()).toEqual([
        'error',
        'message',
        'statusCode',
      ]);
      expect(response.body).toMatchObject({ statusCode: status, message });
      expect(JSON.stringify(response.body)).not.toContain('scrypt$');
    },
  );

  it('joins validation messages into one string', async () => {
    const response = await request(server).post('/boom/validate').send({ email: 'nope' });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'email must be an email',
    });
  });

  it('answers an unknown route without echoing its path or query', async () => {
    const response = await request(server).get('/nowhere?access_token=abc');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Route not found',
    });
  });

  it('answers malformed JSON with a fixed 400 that does not quote the body', async () => {
    const response = await request(server)
      .post('/boom/validate')
      .set('Content-Type', 'application/json')
      .send(`{"email": "${SECRET}`);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'Malformed request body',
    });
  });

  it('leaves an app error to the bare 500 until the hook maps it', async () => {
    expect((await request(server).get('/boom/database')).status).toBe(500);
  });
});

describe('AuthErrorFilter.mapException', () => {
  it('lets an app map its own errors (a database that is down answers 503)', async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [ThrowingController],
      providers: [{ provide: APP_FILTER, useClass: AppErrorFilter }],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      const server = app.getHttpServer() as Server;
      const response = await request(server).get('/boom/database');
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect((await request(server).get('/boom/auth')).status).toBe(404);
    } finally {
      await app.close();
    }
  });
});
