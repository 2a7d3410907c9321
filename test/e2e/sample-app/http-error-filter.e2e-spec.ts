import type { Server } from 'node:http';
import { Controller, Get, type INestApplication, type LoggerService } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpErrorFilter } from '../../../sample-app/src/http/http-error.filter.js';
import { expectErrorBody } from './support/http-helpers.js';

const SECRET = "SELECT * FROM users WHERE password_hash = 'scrypt$16384$secret'";

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
}

/** Collects every log line. */
class CollectingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown): void {
    this.lines.push(String(message));
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.lines.push([message, ...rest].map(String).join(' '));
  }
  warn(message: unknown): void {
    this.lines.push(String(message));
  }
}

describe('sample app error filter on unexpected errors', () => {
  let app: INestApplication;
  const logger = new CollectingLogger();

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [ThrowingController],
      providers: [{ provide: APP_FILTER, useClass: HttpErrorFilter }],
    }).compile();
    app = moduleRef.createNestApplication({ logger });
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
  });

  it.each(['error', 'value'])(
    'answers a thrown %s with a generic 500 and logs it without its message',
    async (kind) => {
      const response = await request(app.getHttpServer() as Server).get(
        `/boom/${kind}?access_token=abc`,
      );
      expect(response.status).toBe(500);
      expectErrorBody(response.body, 500);
      expect(response.body).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'Internal server error',
      });
      const logged = logger.lines.join('\n');
      expect(logged).toContain(`GET /boom/${kind} failed`);
      expect(logged).not.toContain('scrypt$');
      expect(logged).not.toContain('access_token');
    },
  );
});
