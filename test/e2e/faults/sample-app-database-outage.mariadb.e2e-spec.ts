import { isolatedDatabase, type IsolatedDatabase } from '../../support/isolated-database.js';
import { describeWithService } from '../../support/services.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import { sampleAppOutageFlow } from './support/sample-app-outage-flow.js';

describeWithService('mysql', 'sample app while its MariaDB is unreachable', (url) => {
  // A database of its own on the shared server (its defaults), reached through a proxy that
  // cuts or freezes.
  let db: IsolatedDatabase | undefined;
  let proxy: TcpProxy | undefined;
  sampleAppOutageFlow({
    label: 'MariaDB through a TCP proxy, crash = cut, freeze = frozen proxy',
    start: async () => {
      db = await isolatedDatabase('mariadb', url, 'sample_outage');
      const proxied = new URL(db.url);
      proxy = await TcpProxy.start(proxied.hostname, Number(proxied.port || 3306));
      proxied.hostname = '127.0.0.1';
      proxied.port = String(proxy.port);
      return proxied.toString().replace(/^mysql:/, 'mariadb:');
    },
    crash: async () => proxy!.cut(),
    restart: async () => proxy!.restore(),
    freeze: () => proxy!.freeze(),
    thaw: () => proxy!.restore(),
    stop: async () => {
      await proxy?.close();
      await db?.drop();
    },
  });
});
