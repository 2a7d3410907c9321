import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../../../lib/index.js';

// `npm run sample:build` copies sample-app/public next to the compiled code; a plain `tsc`
// build inside the repository finds the source folder instead.
const CANDIDATES = [
  new URL('../../public/', import.meta.url),
  new URL('../../../../sample-app/public/', import.meta.url),
];

function publicFolder(): URL {
  const found = CANDIDATES.find((candidate) => existsSync(new URL('index.html', candidate)));
  if (found === undefined) {
    throw new Error(
      `demo page not found in ${CANDIDATES.map((candidate) => fileURLToPath(candidate)).join(' or ')}`,
    );
  }
  return found;
}

// The page loads nothing from elsewhere and runs no inline script: an injected <script> or a
// foreign fetch is blocked even if markup is ever injected (OWASP XSS Prevention, CSP).
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The demo page at `GET /`: plain HTML, one script and one stylesheet from `sample-app/public`,
 * read once at start-up. It signs up, logs in with the refresh token in an HttpOnly cookie,
 * keeps the access token in memory and refreshes it before it expires.
 */
@ApiExcludeController()
@Public()
@Controller()
export class DemoPageController {
  private readonly files: Readonly<Record<'html' | 'script' | 'style', string>>;

  constructor() {
    const folder = publicFolder();
    const read = (name: string): string => readFileSync(new URL(name, folder), 'utf8');
    this.files = { html: read('index.html'), script: read('demo.js'), style: read('demo.css') };
  }

  /** The page. */
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', CSP)
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'no-cache')
  page(): string {
    return this.files.html;
  }

  /** Its script. */
  @Get('demo.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'no-cache')
  script(): string {
    return this.files.script;
  }

  /** Its stylesheet. */
  @Get('demo.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'no-cache')
  style(): string {
    return this.files.style;
  }
}
