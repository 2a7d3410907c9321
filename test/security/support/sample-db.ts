import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { TokenPair } from '../../../lib/index.js';
import { splitToken } from '../../support/forge.js';

/** A refresh-token session row, as the tests read it. */
export interface SessionRow {
  readonly id: string;
  readonly user_id: string;
  readonly revoked_at: unknown;
  readonly revoked_reason: string | null;
}

/** Read access to the sample app's refresh-token tables (grey-box [DB] assertions). */
export class SampleDb {
  private readonly dataSource: DataSource;

  constructor(app: INestApplication) {
    this.dataSource = app.get(DataSource);
  }

  /** Runs SQL against the app's own connection. */
  query<T>(sql: string, parameters: unknown[] = []): Promise<T[]> {
    return this.dataSource.query(sql, parameters) as Promise<T[]>;
  }

  async session(id: string): Promise<SessionRow | undefined> {
    return (
      await this.query<SessionRow>(
        'SELECT id, user_id, revoked_at, revoked_reason FROM auth_sessions WHERE id = ?',
        [id],
      )
    )[0];
  }

  /** Number of refresh-token rows of a session (the family size). */
  async tokenCount(sessionId: string): Promise<number> {
    const rows = await this.query<{ n: number }>(
      'SELECT COUNT(*) AS n FROM auth_refresh_tokens WHERE session_id = ?',
      [sessionId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async totalTokens(): Promise<number> {
    return Number(
      (await this.query<{ n: number }>('SELECT COUNT(*) AS n FROM auth_refresh_tokens'))[0]?.n ?? 0,
    );
  }

  async revokedSessions(): Promise<number> {
    return Number(
      (
        await this.query<{ n: number }>(
          'SELECT COUNT(*) AS n FROM auth_sessions WHERE revoked_at IS NOT NULL',
        )
      )[0]?.n ?? 0,
    );
  }

  async deleteUser(id: string): Promise<void> {
    await this.query('DELETE FROM users WHERE id = ?', [id]);
  }

  async setRoles(id: string, roles: string[]): Promise<void> {
    await this.query('UPDATE users SET roles = ? WHERE id = ?', [JSON.stringify(roles), id]);
  }
}

/** The `sid` claim of a token pair's access token. */
export function sidOf(pair: Pick<TokenPair, 'accessToken'>): string {
  return splitToken(pair.accessToken).payload.sid as string;
}
