import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import {
  ValidationPipe,
  type INestApplication,
  type LogLevel,
  type NestApplicationOptions,
} from '@nestjs/common';
import { NestFactory, type AbstractHttpAdapter } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { resolveSigningKey } from './keys/resolve-signing-key.js';
import { setupOpenApi } from './openapi/setup-openapi.js';
import { SampleAppModule } from './sample-app.module.js';
import type { SampleConfig } from './sample-config.js';

/** Options of {@link createSampleApp} that are about the process, not the app. */
export interface SampleAppOptions {
  /**
   * Nest log levels, or `false` for none.
   * @default ['error', 'warn']
   */
  readonly logger?: false | LogLevel[];
}

/**
 * Builds the sample app, initialised but not listening: `main.ts` calls `listen`, tests hand
 * `app.getHttpServer()` to supertest.
 *
 * @throws when the database cannot be reached or migrated, or the signing key is unusable
 * @example
 * const app = await createSampleApp(loadSampleConfig({ SQLITE_PATH: ':memory:' }));
 * await request(app.getHttpServer()).get('/health').expect(200);
 */
export async function createSampleApp(
  config: SampleConfig,
  options: SampleAppOptions = {},
): Promise<INestApplication> {
  const signingKey = await resolveSigningKey(config);
  const app = await NestFactory.create(
    SampleAppModule.forRoot(config, signingKey),
    createHttpAdapter(config),
    sampleAppOptions(config, options),
  );
  await configureSampleApp(app, config);
  return app;
}

/**
 * The HTTP engine of `HTTP_ADAPTER`, with the body-size limit on Fastify (set on the engine there).
 *
 * @example NestFactory.create(module, createHttpAdapter(config))
 */
export function createHttpAdapter(config: SampleConfig): AbstractHttpAdapter {
  return config.httpAdapter === 'fastify'
    ? new FastifyAdapter({
        bodyLimit: config.bodyLimit,
        // Fastify answers a path parameter over 100 characters with its own 414 body; let every
        // id reach the routes (Node caps the request line at 16 KiB anyway), which answer 404 in
        // the contract's error shape.
        routerOptions: { maxParamLength: 16 * 1024 },
        // A path that does not decode (a lone surrogate, a cut UTF-8 sequence) is refused by
        // Fastify before any route; answer it in the contract's shape, without echoing the path.
        frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
          const statusCode = error.statusCode ?? 400;
          void reply.code(statusCode).send({
            statusCode,
            error: statusCode === 400 ? 'Bad Request' : 'Error',
            message: statusCode === 400 ? 'Malformed request' : 'Request refused',
          });
        },
      })
    : new ExpressAdapter();
}

/**
 * Nest application options matching {@link createHttpAdapter}.
 *
 * @example NestFactory.create(module, createHttpAdapter(config), sampleAppOptions(config))
 */
export function sampleAppOptions(
  config: SampleConfig,
  options: SampleAppOptions = {},
): NestApplicationOptions {
  return {
    // JSON only, on both engines: Express gets its JSON parser in configureSampleApp, Fastify
    // keeps its built-in one (bounded by `bodyLimit`); Nest's default would add form parsing.
    bodyParser: false,
    // Keep-alive clients must not hold SIGTERM past the 5 s the contract allows.
    forceCloseConnections: true,
    logger: options.logger ?? ['error', 'warn'],
  };
}

/**
 * Everything the sample app sets up on an application instance: JSON body limit, validation,
 * OpenAPI at `/docs`, then `init()`. Exported for tests that build the module themselves
 * (e.g. with `Test.createTestingModule` to override the clock).
 *
 * @example
 * const app = moduleRef.createNestApplication(createHttpAdapter(config), sampleAppOptions(config));
 * await configureSampleApp(app, config);
 */
export async function configureSampleApp(
  app: INestApplication,
  config: SampleConfig,
): Promise<void> {
  const adapter = app.getHttpAdapter();
  if (adapter instanceof ExpressAdapter) {
    adapter.getInstance().disable('x-powered-by');
    // JSON only: other content types leave the body empty and fail validation with 400.
    adapter.useBodyParser('json', false, { limit: config.bodyLimit });
  }
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      // Constraint messages only: never echo a submitted value (it could be a password).
      validationError: { target: false, value: false },
    }),
  );
  setupOpenApi(app);
  await app.init();
  if (adapter instanceof FastifyAdapter) {
    await adapter.getInstance().ready();
  }
}
