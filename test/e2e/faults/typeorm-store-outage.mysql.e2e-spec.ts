import { DataSource } from 'typeorm';
import { RefreshSessionEntity, RefreshTokenEntity } from '../../../lib/typeorm/index.js';
import { isolatedDatabase } from '../../support/isolated-database.js';
import { describeWithService } from '../../support/services.js';
import { defineStoreOutageSuite } from './typeorm-store-outage-suite.js';

describeWithService('mysql', 'TypeOrmRefreshTokenStore while MariaDB is unreachable', (url) => {
  defineStoreOutageSuite('MariaDB', async () => {
    const db = await isolatedDatabase('mariadb', url, 'store_outage');
    const base = new URL(db.url);
    const direct = new DataSource({
      ...db.options,
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
        await db.drop();
      },
    };
  });
});
