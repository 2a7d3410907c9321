import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { typeOrmStoreContract } from './support/store-contract-run.js';
import {
  defineTypeOrmRefreshTokenSuite,
  type IsolatedDatabase,
} from './typeorm-refresh-token-suite.js';

async function isolatedDatabase(): Promise<IsolatedDatabase> {
  // A file rather than :memory:, as in production; writers are serialised, hence the busy timeout.
  const directory = mkdtempSync(join(tmpdir(), 'refresh-token-'));
  return {
    options: {
      type: 'better-sqlite3',
      database: join(directory, 'auth.sqlite'),
      timeout: 5000,
      enableWAL: true,
    },
    drop: async () => rmSync(directory, { recursive: true, force: true }),
  };
}

typeOrmStoreContract('TypeOrmRefreshTokenStore [sqlite]', isolatedDatabase);

describe('TypeOrmRefreshTokenStore [sqlite]', () => {
  defineTypeOrmRefreshTokenSuite(isolatedDatabase, { rotationQueries: [], exactCollation: null });
});
