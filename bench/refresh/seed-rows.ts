import { performance } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';
import { numbered, type SqliteDatabase } from './raw-drivers.js';

const CHUNK = 100_000;
const DAY_MS = 86_400_000;

// History as a live deployment accumulates it: ten tokens per session, nine of them spent,
// for 5,000 users; random 64-hex hashes so the unique index grows as it does in production.
const PG_SESSIONS = `
INSERT INTO auth_sessions (id, user_id, created_at, last_used_at, expires_at, idle_expires_at, auth_time, user_agent, ip)
SELECT md5('seed-s-' || (g / 10))::uuid::text, 'seed-user-' || ((g / 10) % 5000), $1::bigint, $1::bigint, $2::bigint, $2::bigint, $1::bigint, 'bench', '127.0.0.1'
FROM generate_series($3::bigint, $4::bigint - 1) AS g WHERE g % 10 = 0`;
const PG_TOKENS = `
INSERT INTO auth_refresh_tokens (id, session_id, user_id, token_hash, nonce, created_at, spent_at, last_used_at,
  expires_at, idle_expires_at, user_agent, ip, auth_time)
SELECT md5('seed-t-' || g)::uuid::text, md5('seed-s-' || (g / 10))::uuid::text, 'seed-user-' || ((g / 10) % 5000),
  encode(sha256(('seed-t-' || g)::bytea), 'hex'), substr(md5('n' || g) || md5('m' || g), 1, 43),
  $1::bigint, CASE WHEN g % 10 = 9 THEN NULL ELSE $1::bigint END, $1::bigint, $2::bigint, $2::bigint, 'bench', '127.0.0.1', $1::bigint
FROM generate_series($3::bigint, $4::bigint - 1) AS g`;

const SQLITE_UUID = (expression: string, variant: string): string =>
  `printf('%08x-0000-4000-${variant}-%012x', ${expression}, ${expression})`;
const SQLITE_SERIES = `WITH RECURSIVE g(x) AS (SELECT ?3 UNION ALL SELECT x + 1 FROM g WHERE x + 1 < ?4)`;
const SQLITE_SESSIONS = `${SQLITE_SERIES}
INSERT INTO auth_sessions (id, user_id, created_at, last_used_at, expires_at, idle_expires_at, auth_time, user_agent, ip)
SELECT ${SQLITE_UUID('x / 10', '9000')}, 'seed-user-' || ((x / 10) % 5000), ?1, ?1, ?2, ?2, ?1, 'bench', '127.0.0.1'
FROM g WHERE x % 10 = 0`;
const SQLITE_TOKENS = `${SQLITE_SERIES}
INSERT INTO auth_refresh_tokens (id, session_id, user_id, token_hash, nonce, created_at, spent_at, last_used_at,
  expires_at, idle_expires_at, user_agent, ip, auth_time)
SELECT ${SQLITE_UUID('x', '8000')}, ${SQLITE_UUID('x / 10', '9000')}, 'seed-user-' || ((x / 10) % 5000),
  lower(hex(randomblob(32))), substr(lower(hex(randomblob(22))), 1, 43),
  ?1, CASE WHEN x % 10 = 9 THEN NULL ELSE ?1 END, ?1, ?2, ?2, 'bench', '127.0.0.1', ?1
FROM g`;

/**
 * Adds seeded rows number `from` (inclusive) to `to` (exclusive) to the refresh-token tables, in
 * bulk (generate_series on PostgreSQL, a recursive CTE on SQLite), then refreshes the planner's
 * statistics. Returns the seconds it took.
 */
export async function seedRows(
  kind: 'sqlite' | 'postgres',
  dataSource: DataSource,
  from: number,
  to: number,
): Promise<number> {
  const started = performance.now();
  const now = Date.now();
  const created = now - DAY_MS;
  const expires = now + 29 * DAY_MS;
  if (kind === 'postgres') {
    for (let start = from; start < to; start += CHUNK) {
      const end = Math.min(to, start + CHUNK);
      await dataSource.query(PG_SESSIONS, [created, expires, start, end]);
      await dataSource.query(PG_TOKENS, [created, expires, start, end]);
    }
    await dataSource.query('ANALYZE auth_sessions');
    await dataSource.query('ANALYZE auth_refresh_tokens');
  } else {
    const db = (dataSource.driver as unknown as { databaseConnection: SqliteDatabase })
      .databaseConnection;
    const sessions = db.prepare(SQLITE_SESSIONS);
    const tokens = db.prepare(SQLITE_TOKENS);
    const chunk = db.transaction((start: number, end: number) => {
      sessions.run(numbered(created, expires, start, end));
      tokens.run(numbered(created, expires, start, end));
    });
    for (let start = from; start < to; start += CHUNK)
      chunk.immediate(start, Math.min(to, start + CHUNK));
    db.exec('ANALYZE');
  }
  return (performance.now() - started) / 1000;
}
