import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/**
 * Serves the OpenAPI document at `/docs` (Swagger UI) and `/docs/json`, with the bearer
 * scheme so "Authorize" in the UI sends `Authorization: Bearer <access token>`.
 *
 * @example setupOpenApi(app) // before app.init()
 */
export function setupOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('nest-hybrid-auth sample app')
      .setDescription(
        'Short-lived JWS access tokens (RFC 9068) with rotating opaque refresh tokens. ' +
          'Log in, then paste the accessToken into "Authorize".',
      )
      .setVersion('0.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json' });
}
