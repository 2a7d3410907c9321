import { DataSource } from 'typeorm';
import { describeWithService, uniqueName } from '../../support/services.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import { sampleAppOutageFlow } from './support/sample-app-outage-flow.js';

describeWithService('mysql', 'sample app while its MariaDB is unreachable', (url) => {
  // A database of its own on the shared server, reached through a proxy that cuts or freezes.
  const database = uniqueName('sample_outage');
  const admin = new DataSource({ type: 'mysql', url });
  let proxy: TcpProxy | undefined;
  sampleAppOutageFlow({
    label: 'MariaDB through a TCP proxy, crash = cut, freeze = frozen proxy',
    start: async () => {
      await admin.initialize();
      await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
      const target = new URL(url);
      proxy = await TcpProxy.start(target.hostname, Number(target.port || 3306));
      const proxied = new URL(url);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(proxy.port);
      proxied.pathname = `/${database}`;
      return proxied.toString().replace(/^mysql:/, 'mariadb:');
    },
    crash: async () => proxy!.cut(),
    restart: async () => proxy!.restore(),
    freeze: () => proxy!.freeze(),
    thaw: () => proxy!.restore(),
    stop: async () => {
      await proxy?.close();
      await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await admin.destroy();
    },
  });
});
