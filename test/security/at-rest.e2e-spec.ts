// At-rest check (issue 5, point 3; catalogue G17 [DB]): after a full flow, the raw SQLite file
// and every row of every table hold no refresh token, access token or password in clear.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenPair } from '../../lib/index.js';
import { splitToken } from '../support/forge.js';
import {
  freshEmail,
  loginUser,
  refreshWith,
  registerUser,
  startSecuritySampleApp,
} from './support/security-sample-app.js';

const PASSWORD = 'at-rest-Password-42';

/** The few better-sqlite3 calls used here (the package ships no types and @types is not installed). */
interface SqliteDatabase {
  prepare(sql: string): { all(): unknown[] };
  close(): void;
}
const Database = createRequire(import.meta.url)('better-sqlite3') as new (
  file: string,
  options: { readonly: boolean },
) => SqliteDatabase;

describe('at rest: the sample app database after register, login, refresh and logout', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nest-hybrid-auth-at-rest-'));
  const file = join(dir, 'sample.sqlite');
  const issued: TokenPair[] = [];

  beforeAll(async () => {
    const sample = await startSecuritySampleApp({ SQLITE_PATH: file });
    try {
      const email = freshEmail();
      await registerUser(sample.server, email, PASSWORD);
      const first = await loginUser(sample.server, email, PASSWORD);
      const second = (await refreshWith(sample.server, first.refreshToken).expect(200))
        .body as TokenPair;
      const third = (await refreshWith(sample.server, second.refreshToken).expect(200))
        .body as TokenPair;
      const other = await loginUser(sample.server, email, PASSWORD);
      await request(sample.server)
        .post('/auth/logout')
        .send({ refreshToken: third.refreshToken })
        .expect(204);
      issued.push(first, second, third, other);
    } finally {
      await sample.close();
    }
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Every form of a secret that would count as "in clear". */
  const forms = (): Array<[string, string]> =>
    issued.flatMap((pair, index): Array<[string, string]> => {
      const rtBytes = Buffer.from(pair.refreshToken, 'base64url');
      return [
        [`refresh token ${index}`, pair.refreshToken],
        // The MAC half: without the server secret it cannot be recomputed from the stored nonce.
        [
          `refresh token ${index} MAC half (base64url)`,
          rtBytes.subarray(32).toString('base64url').slice(0, 40),
        ],
        [`refresh token ${index} bytes (hex)`, rtBytes.toString('hex')],
        [`access token ${index}`, pair.accessToken],
        [`access token ${index} signature`, splitToken(pair.accessToken).s],
      ];
    });

  it('the raw database file (and any journal) contains none of them', () => {
    expect(issued).toHaveLength(4);
    const files = [file, `${file}-wal`, `${file}-journal`, `${file}-shm`].filter((path) =>
      existsSync(path),
    );
    const raw = Buffer.concat(files.map((path) => readFileSync(path)));
    expect(raw.length).toBeGreaterThan(0);
    const text = raw.toString('latin1');
    for (const [name, value] of [
      ...forms(),
      ['password', PASSWORD],
      ['password (base64)', Buffer.from(PASSWORD).toString('base64')],
    ]) {
      expect({ name, found: text.includes(value) }).toEqual({ name, found: false });
    }
    expect(raw.includes(Buffer.from(PASSWORD, 'utf16le'))).toBe(false);
  });

  it('no row of any table contains them, and refresh tokens are stored as SHA-256 hashes only', () => {
    const db = new Database(file, { readonly: true });
    try {
      const tables = (
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
          name: string;
        }[]
      ).map((row) => row.name);
      expect(tables).toEqual(
        expect.arrayContaining(['users', 'auth_sessions', 'auth_refresh_tokens']),
      );
      const dump = tables
        .map((table) => JSON.stringify(db.prepare(`SELECT * FROM "${table}"`).all()))
        .join('\n');
      for (const [name, value] of [...forms(), ['password', PASSWORD]])
        expect({ name, found: dump.includes(value) }).toEqual({ name, found: false });
      const hashes = db.prepare('SELECT token_hash FROM auth_refresh_tokens').all() as {
        token_hash: string;
      }[];
      expect(hashes.length).toBeGreaterThanOrEqual(4);
      expect(hashes.every((row) => /^[0-9a-f]{64}$/.test(row.token_hash))).toBe(true);
      const users = db.prepare('SELECT password_hash FROM users').all() as {
        password_hash: string;
      }[];
      expect(users.every((row) => row.password_hash.startsWith('scrypt$'))).toBe(true);
    } finally {
      db.close();
    }
  });
});
