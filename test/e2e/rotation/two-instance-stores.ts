import { DataSource } from 'typeorm';
import { REFRESH_TOKEN_MIGRATIONS, TypeOrmSigningKeyStore } from '../../../lib/typeorm/index.js';
import { isolatedDatabase } from '../../support/isolated-database.js';

/**
 * Two instances' stores on one fresh database of `kind`, one pool each as two processes
 * would have; both run the migrations (idempotent: the second run changes nothing).
 */
export async function twoInstanceStores(kind: 'postgres' | 'mariadb', url: string) {
  const db = await isolatedDatabase(kind, url, 'signing_keys');
  const open = async () => {
    const dataSource = new DataSource({
      ...db.options,
      migrations: REFRESH_TOKEN_MIGRATIONS,
      migrationsTableName: 'auth_migrations',
    });
    await dataSource.initialize();
    await dataSource.runMigrations();
    return dataSource;
  };
  const first = await open();
  const second = await open();
  return {
    stores: [new TypeOrmSigningKeyStore(first), new TypeOrmSigningKeyStore(second)] as const,
    close: async () => {
      await first.destroy();
      await second.destroy();
      await db.drop();
    },
  };
}
