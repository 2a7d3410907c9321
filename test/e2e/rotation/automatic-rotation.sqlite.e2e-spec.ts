import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { MemorySigningKeyStore } from '../../../lib/index.js';
import { REFRESH_TOKEN_MIGRATIONS, TypeOrmSigningKeyStore } from '../../../lib/typeorm/index.js';
import { defineAutomaticRotationSuite } from './automatic-rotation-suite.js';

defineAutomaticRotationSuite('memory store', async () => {
  const store = new MemorySigningKeyStore();
  return { stores: [store, store], close: async () => undefined };
});

defineAutomaticRotationSuite('one SQLite file', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'signing-keys-'));
  const open = async () => {
    const dataSource = new DataSource({
      type: 'better-sqlite3',
      database: join(directory, 'auth.sqlite'),
      timeout: 5000,
      enableWAL: true,
      migrations: REFRESH_TOKEN_MIGRATIONS,
      migrationsTableName: 'auth_migrations',
    });
    await dataSource.initialize();
    return dataSource;
  };
  const first = await open();
  await first.runMigrations();
  const second = await open();
  return {
    stores: [new TypeOrmSigningKeyStore(first), new TypeOrmSigningKeyStore(second)],
    close: async () => {
      await first.destroy();
      await second.destroy();
      rmSync(directory, { recursive: true, force: true });
    },
  };
});
