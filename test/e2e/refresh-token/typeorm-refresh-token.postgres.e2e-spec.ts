import type { DataSourceOptions } from 'typeorm';
import { isolatedDatabase } from '../../support/isolated-database.js';
import { describeWithService } from '../../support/services.js';
import { typeOrmStoreContract } from './support/store-contract-run.js';
import {
  defineTypeOrmRefreshTokenSuite,
  type IsolatedDatabase,
} from './typeorm-refresh-token-suite.js';

/** A fresh schema with the server's defaults, with a pool so concurrent refreshes run in parallel. */
async function isolated(url: string): Promise<IsolatedDatabase> {
  const db = await isolatedDatabase('postgres', url, 'refresh_token');
  return { options: { ...db.options, extra: { max: 10 } } as DataSourceOptions, drop: db.drop };
}

describeWithService('postgres', 'TypeOrmRefreshTokenStore', (url) => {
  typeOrmStoreContract('TypeOrmRefreshTokenStore [postgres]', () => isolated(url));
  defineTypeOrmRefreshTokenSuite(() => isolated(url), {
    rotationQueries: ['SELECT', 'WITH'],
    exactCollation: null,
  });
});
