import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, requireChromiumUnderCi } from '../../support/chromium.js';
import { startSampleApp, type SampleTestApp } from '../../support/sample-app.js';

requireChromiumUnderCi('OpenAPI browser test');

describe.skipIf(!hasChromium)('sample app OpenAPI documentation in a browser', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  describe.each(['express', 'fastify'])('on %s', (adapter) => {
    let sample: SampleTestApp;
    let base: string;

    beforeAll(async () => {
      sample = await startSampleApp({ HTTP_ADAPTER: adapter });
      await sample.app.listen(0, '127.0.0.1');
      base = `http://127.0.0.1:${(sample.app.getHttpServer().address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await sample?.close();
    });

    it('serves the OpenAPI document with the bearer scheme and every contract route', async () => {
      const response = await request(sample.server).get('/docs/json').expect(200);
      const document = response.body as {
        paths: Record<string, Record<string, { security?: unknown[] }>>;
        components: { securitySchemes: Record<string, unknown> };
      };
      expect(document.components.securitySchemes.bearer).toMatchObject({
        type: 'http',
        scheme: 'bearer',
      });
      for (const path of [
        '/health',
        '/auth/register',
        '/auth/login',
        '/auth/refresh',
        '/auth/logout',
        '/auth/logout-all',
        '/auth/sessions',
        '/auth/sessions/{id}',
        '/me',
        '/me/claims',
        '/admin/users',
        '/.well-known/jwks.json',
      ]) {
        expect(document.paths).toHaveProperty([path]);
      }
      expect(document.paths['/me']?.get?.security).toEqual([{ bearer: [] }]);
    });

    it('renders Swagger UI at /docs in headless Chromium, with Authorize', async () => {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      try {
        const response = await page.goto(`${base}/docs`);
        expect(response?.status()).toBe(200);
        await page
          .locator('.swagger-ui .info .title')
          .filter({ hasText: 'nest-hybrid-auth sample app' })
          .waitFor();
        await page.locator('.opblock-summary-path', { hasText: '/auth/login' }).first().waitFor();
        await page.locator('button.authorize').waitFor();
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    });
  });
});
