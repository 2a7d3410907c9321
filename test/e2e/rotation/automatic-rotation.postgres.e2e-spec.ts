import { DataSource } from 'typeorm';
import { REFRESH_TOKEN_MIGRATIONS, TypeOrmSigningKeyStore } from '../../../lib/typeorm/index.js';
import { describeWithService, uniqueName } from '../../support/services.js';
import { defineAutomaticRotationSuite } from './automatic-rotation-suite.js';

describeWithService('postgres', 'TypeOrmSigningKeyStore', (url) => {
  defineAutomaticRotationSuite('postgres', async () => {
    const schema = uniqueName('signing_keys');
    const admin = new DataSource({ type: 'postgres', url });
    await admin.initialize();
    await admin.query(`CREATE SCHEMA "${schema}"`);
    // One pool per instance, as two processes would have.
    const open = async () => {
      const dataSource = new DataSource({
        type: 'postgres',
        url,
        schema,
        migrations: REFRESH_TOKEN_MIGRATIONS,
        migrationsTableName: 'auth_migrations',
      });
      await dataSource.initialize();
      return dataSource;
    };
    const first = await open();
    await first.runMigrations();
    // Idempotent: a second run (another instance starting) changes nothing.
    const second = await open();
    await second.runMigrations();
    return {
      stores: [new TypeOrmSigningKeyStore(first), new TypeOrmSigningKeyStore(second)],
      close: async () => {
        await first.destroy();
        await second.destroy();
        await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
        await admin.destroy();
      },
    };
  });
});
