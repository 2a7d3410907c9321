import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';

/** Debian's Chromium package; `.ci/run` installs it on a fresh machine. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless, no sandbox (containers), and nothing that talks to Google or the network on its
 * own. Playwright gives every launch a fresh temporary user-data-dir, removed on close.
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Whether the browser tests can run here. */
export const hasChromium = existsSync(CHROMIUM);

/**
 * Call once at the top of a browser spec: warns when Chromium is missing, and under CI=true
 * adds a failing test instead, so that a green CI never hides a browser suite that did not run.
 * Defined only then, so that with Chromium present nothing is reported as skipped.
 *
 * @example requireChromiumUnderCi('demo page browser test'); describe.skipIf(!hasChromium)(...)
 */
export function requireChromiumUnderCi(suite: string): void {
  if (hasChromium) return;
  console.warn(`[skip] ${suite}: ${CHROMIUM} is missing (apt-get install -y chromium)`);
  // oxlint-disable-next-line vitest/no-conditional-tests
  if (process.env.CI === 'true') {
    describe(`${suite} (CI)`, () => {
      it('requires Chromium under CI', () => {
        expect.fail(`${CHROMIUM} is missing: install the chromium package`);
      });
    });
  }
}

/**
 * Launches Debian's Chromium headless with {@link CHROMIUM_FLAGS}.
 *
 * @example const browser = await launchChromium(); ... await browser.close();
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}
