import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { parseCookie } from 'cookie';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSampleApp } from '../../../sample-app/src/create-sample-app.js';
import { loadSampleConfig } from '../../../sample-app/src/sample-config.js';
import { hasChromium, launchChromium, requireChromiumUnderCi } from '../../support/chromium.js';
import { newEmail } from '../../support/http-helpers.js';
import { testEnv } from '../../support/sample-app.js';

const COOKIE = '__Secure-refresh_token';
// Short enough that tokens expire, and the page refreshes, while a test runs (the page
// refreshes a quarter of the lifetime, at least 1 s, before expiry).
const ACCESS_TTL_SECONDS = 3;
const ROOT = resolve(import.meta.dirname, '../../..');

requireChromiumUnderCi('demo page browser test');

// The globals that the page.evaluate callbacks use: they run in Chromium, while the project
// compiles without the DOM library.
interface PageElement {
  textContent: string | null;
  readonly dataset: Record<string, string | undefined>;
  click(): void;
}
declare const document: { cookie: string; getElementById(id: string): PageElement | null };
declare const window: { states?: string[] };
declare const localStorage: { readonly length: number };
declare const sessionStorage: { readonly length: number };
declare const MutationObserver: new (callback: () => void) => {
  observe(target: PageElement, options: { attributes: boolean; attributeFilter: string[] }): void;
};

/** What the app's HTTP server saw: one entry per finished request. */
interface Seen {
  readonly method: string;
  readonly path: string;
  readonly origin: string | undefined;
  readonly carriedCookie: boolean;
  /** The refresh token the request's cookie presented, if any. */
  readonly presented: string | undefined;
  readonly status: number;
}

function record(server: Server, seen: Seen[]): void {
  server.on('request', (req: IncomingMessage, res) => {
    res.on('finish', () =>
      seen.push({
        method: req.method ?? '',
        path: (req.url ?? '').split('?')[0]!,
        origin: req.headers.origin,
        carriedCookie: parseCookie(req.headers.cookie ?? '')[COOKIE] !== undefined,
        presented: parseCookie(req.headers.cookie ?? '')[COOKIE],
        status: res.statusCode,
      }),
    );
  });
}

function pageErrors(page: Page): string[] {
  return (page as Page & { errors?: string[] }).errors ?? [];
}

async function signUp(page: Page): Promise<string> {
  const email = newEmail('browser');
  await page.locator('#signed-out').waitFor();
  await page.fill('#email', email);
  await page.fill('#password', 'password-123');
  await page.click('#signup');
  await page.locator('#status[data-state="signed-in"]').waitFor();
  return email;
}

async function sid(page: Page): Promise<string> {
  return (JSON.parse((await page.textContent('#claims')) ?? '{}') as { sid: string }).sid;
}

/** The access tokens the page received, from the network (the page keeps them in memory). */
function captureAccessTokens(page: Page): string[] {
  const tokens: string[] = [];
  page.on('response', (response) => {
    const path = new URL(response.url()).pathname;
    if ((path === '/auth/login' || path === '/auth/refresh') && response.status() === 200) {
      void response
        .json()
        .then((body: { accessToken: string }) => tokens.push(body.accessToken))
        .catch(() => undefined);
    }
  });
  return tokens;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe.skipIf(!hasChromium)('demo page in Chromium', () => {
  let browser: Browser;
  // A second origin: same host, another port (same site, so SameSite alone does not stop it).
  let foreign: Server;
  let foreignBase: string;

  beforeAll(async () => {
    browser = await launchChromium();
    foreign = createServer((_req, res) => {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end('<!doctype html><title>another origin</title><p>another origin</p>');
    });
    foreignBase = await listen(foreign);
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => foreign?.close(done));
  });

  describe.each(['express', 'fastify'])('on %s', (adapter) => {
    let app: INestApplication;
    let base: string;
    let context: BrowserContext;
    const seen: Seen[] = [];

    beforeAll(async () => {
      // The real clock: tokens must expire while the browser waits.
      const config = loadSampleConfig(
        testEnv({ HTTP_ADAPTER: adapter, AUTH_ACCESS_TTL: `${ACCESS_TTL_SECONDS}s` }),
      );
      app = await createSampleApp(config, { logger: ['error'] });
      await app.listen(0, '127.0.0.1');
      const server = app.getHttpServer() as Server;
      record(server, seen);
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await app?.close();
    });
    beforeEach(async () => {
      context = await browser.newContext();
      seen.length = 0;
    });
    afterEach(async () => {
      await context?.close();
    });

    async function open(): Promise<Page> {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      (page as Page & { errors?: string[] }).errors = errors;
      await page.goto(base);
      await page.locator('#status:not([data-state="loading"])').waitFor();
      return page;
    }

    async function refreshCookie(): Promise<{
      value: string;
      httpOnly: boolean;
      secure: boolean;
      sameSite: string;
      path: string;
    }> {
      const cookie = (await context.cookies(`${base}/auth/refresh`)).find(
        (candidate) => candidate.name === COOKIE,
      );
      expect(cookie, 'refresh cookie').toBeDefined();
      return cookie!;
    }

    it('logs in, shows /me and the claims, and refreshes before expiry with no visible logout', async () => {
      const page = await open();
      const tokens = captureAccessTokens(page);
      // Every state the status badge ever shows, from here on.
      await page.evaluate(() => {
        const status = document.getElementById('status')!;
        const states: string[] = [status.dataset.state ?? ''];
        window.states = states;
        new MutationObserver(() => states.push(status.dataset.state ?? '')).observe(status, {
          attributes: true,
          attributeFilter: ['data-state'],
        });
      });
      const email = await signUp(page);
      const loggedInAt = Date.now();
      seen.length = 0;
      expect(await page.textContent('#me')).toContain(email);
      const firstSid = await sid(page);
      expect(firstSid).toMatch(/^[0-9a-f-]{36}$/);

      // Secure, HttpOnly cookie accepted over http://127.0.0.1: Chromium counts loopback
      // as a secure context.
      expect(await refreshCookie()).toMatchObject({
        httpOnly: true,
        secure: true,
        sameSite: 'Strict',
        path: '/auth',
      });

      // Outlive the first access token three times over.
      await page.waitForFunction(
        () => Number(document.getElementById('refresh-count')?.textContent) >= 3,
        undefined,
        { timeout: ACCESS_TTL_SECONDS * 4 * 1000 },
      );
      const states = await page.evaluate(() => window.states ?? []);
      expect(states.filter((state) => state === 'signed-out')).toEqual(['signed-out']);
      expect(states.at(-1)).toBe('signed-in');
      expect(states.indexOf('signed-out')).toBeLessThan(states.indexOf('signed-in'));
      expect(await sid(page)).toBe(firstSid);

      // The first access token has expired (lifetime plus the 5 s default clock tolerance);
      // the one in the page works.
      await new Promise((done) =>
        setTimeout(done, Math.max(0, loggedInAt + (ACCESS_TTL_SECONDS + 6) * 1000 - Date.now())),
      );
      expect(tokens.length).toBeGreaterThanOrEqual(4);
      await request(base).get('/me').set('Authorization', `Bearer ${tokens[0]}`).expect(401);
      await request(base)
        .get('/me')
        .set('Authorization', `Bearer ${tokens.at(-1)}`)
        .expect(200);
      expect(
        seen.filter((entry) => entry.path === '/auth/refresh' && entry.status !== 200),
      ).toEqual([]);
      expect(pageErrors(page)).toEqual([]);
    }, 60_000);

    it('keeps 5 tabs of one session logged in when they refresh at the same moment', async () => {
      const first = await open();
      await signUp(first);
      const tabs = [first];
      for (let i = 1; i < 5; i += 1) tabs.push(await open());
      for (const tab of tabs) await tab.locator('#status[data-state="signed-in"]').waitFor();
      const counts = await Promise.all(
        tabs.map(async (tab) => Number(await tab.textContent('#refresh-count'))),
      );

      seen.length = 0;
      // One instant for all five renderers: each arms a timer for the same wall-clock time.
      const at = Date.now() + 500;
      await Promise.all(
        tabs.map((tab) =>
          tab.evaluate((when) => {
            setTimeout(() => document.getElementById('refresh-now')!.click(), when - Date.now());
          }, at),
        ),
      );
      await Promise.all(
        tabs.map((tab, i) =>
          tab.waitForFunction(
            (before) => Number(document.getElementById('refresh-count')?.textContent) > before,
            counts[i],
          ),
        ),
      );

      const refreshes = seen.filter((entry) => entry.path === '/auth/refresh');
      expect(refreshes.length).toBeGreaterThanOrEqual(5);
      expect(refreshes.map((entry) => entry.status)).toEqual(refreshes.map(() => 200));
      // They did race: several presented the same token, and the grace window answered each.
      const perToken = new Map<string | undefined, number>();
      for (const entry of refreshes) {
        perToken.set(entry.presented, (perToken.get(entry.presented) ?? 0) + 1);
      }
      expect(Math.max(...perToken.values())).toBeGreaterThanOrEqual(2);
      for (const tab of tabs) {
        expect(await tab.getAttribute('#status', 'data-state')).toBe('signed-in');
      }
      const sids = new Set(await Promise.all(tabs.map((tab) => sid(tab))));
      expect(sids.size).toBe(1);
      await first.reload();
      await first.locator('#status[data-state="signed-in"]').waitFor();
      await expect.poll(() => first.locator('#sessions tr').count()).toBe(1);
      for (const tab of tabs) expect(pageErrors(tab)).toEqual([]);
    }, 60_000);

    it('a logout in one tab shows the login form in every tab within a second and kills the access token', async () => {
      const first = await open();
      const tokens = captureAccessTokens(first);
      await signUp(first);
      const others = [await open(), await open()];
      for (const tab of others) await tab.locator('#status[data-state="signed-in"]').waitFor();
      const accessToken = tokens.at(-1)!;
      await request(base).get('/me').set('Authorization', `Bearer ${accessToken}`).expect(200);

      await first.click('#logout');
      const started = Date.now();
      await Promise.all(
        [first, ...others].map((tab) =>
          tab.locator('#signed-out').waitFor({ state: 'visible', timeout: 1000 }),
        ),
      );
      expect(Date.now() - started).toBeLessThan(1000);
      await request(base).get('/me').set('Authorization', `Bearer ${accessToken}`).expect(401);
      expect(
        (await context.cookies(`${base}/auth/refresh`)).map((cookie) => cookie.name),
      ).not.toContain(COOKIE);
    }, 60_000);

    it('keeps the refresh cookie out of document.cookie (HttpOnly), even under /auth', async () => {
      const page = await open();
      await signUp(page);
      await page.evaluate(() => {
        document.cookie = 'visible=yes; path=/';
      });
      expect(await page.evaluate(() => document.cookie)).toBe('visible=yes');
      // A document under Path=/auth would see the cookie, were it not HttpOnly.
      const underAuth = await context.newPage();
      await underAuth.goto(`${base}/auth/not-a-page`);
      const seenThere = await underAuth.evaluate(() => document.cookie);
      expect(seenThere).not.toContain(COOKIE);
      expect((await refreshCookie()).httpOnly).toBe(true);
    });

    it("refuses another origin's POST to /auth/refresh with the cookie, and the session keeps working", async () => {
      const page = await open();
      await signUp(page);
      const before = (await refreshCookie()).value;

      const attacker = await context.newPage();
      await attacker.goto(foreignBase);
      seen.length = 0;
      const outcome = await attacker.evaluate(async (target) => {
        const results: string[] = [];
        // As the demo page does it: the custom header forces a CORS preflight.
        try {
          const response = await fetch(`${target}/auth/refresh`, {
            method: 'POST',
            credentials: 'include',
            headers: { 'X-Refresh-Transport': 'cookie' },
          });
          results.push(`read ${response.status}`);
        } catch {
          results.push('blocked');
        }
        // A "simple" request needs no preflight; it carries the cookie but not the header.
        try {
          await fetch(`${target}/auth/refresh`, {
            method: 'POST',
            mode: 'no-cors',
            credentials: 'include',
          });
          results.push('sent');
        } catch {
          results.push('blocked');
        }
        return results;
      }, base);
      expect(outcome[0]).toBe('blocked');

      const fromAttacker = seen.filter((entry) => entry.origin === foreignBase);
      expect(fromAttacker.length).toBeGreaterThan(0);
      for (const entry of fromAttacker) {
        // Refused, or it reached the app without the cookie; never a token.
        expect(entry.status >= 400 || !entry.carriedCookie, JSON.stringify(entry)).toBe(true);
        expect(entry.status).not.toBe(200);
      }
      // The simple POST reached the app and the CSRF check refused it.
      const posts = fromAttacker.filter((entry) => entry.method === 'POST');
      expect(posts.map((entry) => entry.status)).toEqual([403]);
      expect(posts[0]?.carriedCookie).toBe(true);

      // Another site (localhost is not 127.0.0.1): SameSite=Strict keeps the cookie home.
      const crossSite = foreignBase.replace('127.0.0.1', 'localhost');
      const elsewhere = await context.newPage();
      await elsewhere.goto(crossSite);
      seen.length = 0;
      await elsewhere.evaluate(async (target) => {
        await fetch(`${target}/auth/refresh`, {
          method: 'POST',
          mode: 'no-cors',
          credentials: 'include',
        });
      }, base);
      const fromElsewhere = seen.filter((entry) => entry.origin === crossSite);
      expect(fromElsewhere.map((entry) => [entry.method, entry.carriedCookie])).toEqual([
        ['POST', false],
      ]);
      expect(fromElsewhere[0]?.status).not.toBe(200);

      // Nothing was spent or cleared: the same cookie, and the page still refreshes with it.
      expect((await refreshCookie()).value).toBe(before);
      const count = Number(await page.textContent('#refresh-count'));
      await page.click('#refresh-now');
      await page.waitForFunction(
        (was) => Number(document.getElementById('refresh-count')?.textContent) > was,
        count,
      );
      expect(await page.getAttribute('#status', 'data-state')).toBe('signed-in');
      expect((await refreshCookie()).value).not.toBe(before);
    }, 60_000);

    it('lists the sessions of two devices and revokes the other one', async () => {
      const page = await open();
      const email = await signUp(page);
      // A second device: another browser context, its own cookie jar.
      const device = await browser.newContext();
      try {
        const other = await device.newPage();
        await other.goto(base);
        await other.locator('#signed-out').waitFor();
        await other.fill('#email', email);
        await other.fill('#password', 'password-123');
        await other.click('#login');
        await other.locator('#status[data-state="signed-in"]').waitFor();

        await page.click('#refresh-now');
        await expect.poll(() => page.locator('#sessions tr').count()).toBe(2);
        await page.locator('#sessions tr', { hasNotText: 'this one' }).locator('button').click();
        await expect.poll(() => page.locator('#sessions tr').count()).toBe(1);
        expect(await page.textContent('#sessions tr')).toContain('this one');

        // The revoked device's access token is refused at once, and its refresh fails.
        await other.click('#refresh-now');
        await other.locator('#signed-out').waitFor({ state: 'visible' });
        expect(await page.getAttribute('#status', 'data-state')).toBe('signed-in');
      } finally {
        await device.close();
      }
    });

    it('keeps the session across a reload, with nothing in localStorage or sessionStorage', async () => {
      const page = await open();
      const email = await signUp(page);
      const before = await sid(page);
      await page.reload();
      await page.locator('#status[data-state="signed-in"]').waitFor();
      expect(await page.textContent('#me')).toContain(email);
      expect(await sid(page)).toBe(before);
      expect(await page.evaluate(() => [localStorage.length, sessionStorage.length])).toEqual([
        0, 0,
      ]);

      if (adapter === 'express') {
        // The README's screenshot; written to the repository only when asked, so that CI
        // runs never dirty the tree.
        await page.setViewportSize({ width: 1000, height: 700 });
        const directory = await mkdtemp(join(tmpdir(), 'demo-page-'));
        const shot = join(directory, 'demo-page.png');
        await page.screenshot({ path: shot, fullPage: true });
        if (process.env.UPDATE_SCREENSHOTS === '1') {
          await copyFile(shot, join(ROOT, 'docs/demo-page.png'));
        }
        await rm(directory, { recursive: true, force: true });
      }
    });
  });
});
