import { DataSource } from 'typeorm';
import { RefreshSessionEntity, RefreshTokenEntity } from '../../../lib/typeorm/index.js';
import { describeWithService, uniqueName } from '../../support/services.js';
import { defineStoreOutageSuite } from './typeorm-store-outage-suite.js';

describeWithService('mysql', 'TypeOrmRefreshTokenStore while MariaDB is unreachable', (url) => {
  defineStoreOutageSuite('MariaDB', async () => {
    const database = uniqueName('store_outage');
    const admin = new DataSource({ type: 'mysql', url });
    await admin.initialize();
    await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
    const base = new URL(url);
    base.pathname = `/${database}`;
    const direct = new DataSource({
      type: 'mariadb',
      url: base.toString(),
      charset: 'utf8mb4',
      entities: [RefreshTokenEntity, RefreshSessionEntity],
    });
    await direct.initialize();
    return {
      host: base.hostname,
      port: Number(base.port || 3306),
      options: (port) => {
        const proxied = new URL(base);
        proxied.hostname = '127.0.0.1';
        proxied.port = String(port);
        return {
          type: 'mariadb',
          url: proxied.toString(),
          charset: 'utf8mb4',
          // mysql2 bounds connecting (handshake included); a query on a frozen connection only
          // the store's timeout does.
          connectTimeout: 1000,
          extra: { connectionLimit: 12 },
        };
      },
      direct,
      drop: async () => {
        await direct.destroy();
        await admin.query(`DROP DATABASE \`${database}\``);
        await admin.destroy();
      },
    };
  });
});
