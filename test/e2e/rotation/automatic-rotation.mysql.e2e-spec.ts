import { DataSource } from 'typeorm';
import { REFRESH_TOKEN_MIGRATIONS, TypeOrmSigningKeyStore } from '../../../lib/typeorm/index.js';
import { describeWithService, uniqueName } from '../../support/services.js';
import { defineAutomaticRotationSuite } from './automatic-rotation-suite.js';

describeWithService('mysql', 'TypeOrmSigningKeyStore', (url) => {
  defineAutomaticRotationSuite('mariadb', async () => {
    const database = uniqueName('signing_keys');
    const admin = new DataSource({ type: 'mysql', url });
    await admin.initialize();
    await admin.query(`CREATE DATABASE \`${database}\``);
    const base = new URL(url);
    base.pathname = `/${database}`;
    // One pool per instance, as two processes would have. The service is MariaDB.
    const open = async () => {
      const dataSource = new DataSource({
        type: 'mariadb',
        url: base.toString(),
        charset: 'utf8mb4',
        migrations: REFRESH_TOKEN_MIGRATIONS,
        migrationsTableName: 'auth_migrations',
      });
      await dataSource.initialize();
      return dataSource;
    };
    const first = await open();
    await first.runMigrations();
    const second = await open();
    await second.runMigrations();
    return {
      stores: [new TypeOrmSigningKeyStore(first), new TypeOrmSigningKeyStore(second)],
      close: async () => {
        await first.destroy();
        await second.destroy();
        await admin.query(`DROP DATABASE \`${database}\``);
        await admin.destroy();
      },
    };
  });
});
