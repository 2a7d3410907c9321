import type { DataSourceOptions } from 'typeorm';
import { isolatedDatabase } from '../../support/isolated-database.js';
import { describeWithService } from '../../support/services.js';
import { typeOrmStoreContract } from './support/store-contract-run.js';
import {
  defineTypeOrmRefreshTokenSuite,
  type IsolatedDatabase,
} from './typeorm-refresh-token-suite.js';

/** A fresh database as the server creates it by default, with a pool so refreshes run in parallel. */
async function isolated(url: string): Promise<IsolatedDatabase> {
  const db = await isolatedDatabase('mariadb', url, 'refresh_token');
  return {
    options: { ...db.options, extra: { connectionLimit: 10 } } as DataSourceOptions,
    drop: db.drop,
  };
}

describeWithService('mysql', 'TypeOrmRefreshTokenStore', (url) => {
  typeOrmStoreContract('TypeOrmRefreshTokenStore [mariadb]', () => isolated(url));
  defineTypeOrmRefreshTokenSuite(() => isolated(url), {
    rotationQueries: ['SELECT', 'START', 'UPDATE', 'UPDATE', 'INSERT', 'COMMIT'],
    exactCollation: 'utf8mb4_nopad_bin',
  });
});
