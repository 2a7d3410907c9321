import { describeWithPrivatePostgres, PrivatePostgres } from '../../support/private-postgres.js';
import { sampleAppOutageFlow } from './support/sample-app-outage-flow.js';

describeWithPrivatePostgres('sample app while its PostgreSQL is down', () => {
  let pg: PrivatePostgres | undefined;
  sampleAppOutageFlow({
    label: 'private PostgreSQL, crash = pg_ctl stop -m immediate, freeze = SIGSTOP',
    start: async () => {
      pg = await PrivatePostgres.start();
      return pg.url;
    },
    crash: () => pg!.crash(),
    restart: () => pg!.restart(),
    freeze: () => pg!.freeze(),
    thaw: () => pg!.thaw(),
    stop: async () => {
      await pg?.destroy();
    },
  });
});
