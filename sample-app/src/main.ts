import type { AddressInfo } from 'node:net';
import { createSampleApp } from './create-sample-app.js';
import { loadSampleConfig, SampleConfigError } from './sample-config.js';

// The contract allows 5 s for SIGTERM; stop waiting on a stuck database or Redis before that.
const SHUTDOWN_DEADLINE_MS = 4500;

async function main(): Promise<void> {
  const config = loadSampleConfig();
  const app = await createSampleApp(config);
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  let closing = false;
  const onSignal = (): void => {
    if (closing) {
      // Nest re-raises the signal once the app is closed (database, Redis, server): exit 0,
      // a clean stop, rather than death by signal.
      process.exit(0);
    }
    closing = true;
    setTimeout(() => {
      process.stderr.write(`shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms, exiting\n`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  await app.listen(config.port, config.host);
  const { port } = app.getHttpServer().address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  // The one line scripts wait for: printed bare, without the logger's prefix.
  process.stdout.write(`listening on http://${host}:${port}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof SampleConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    // Name and message only: a driver error's message names the host, not the password.
    process.stderr.write(
      `sample app failed to start: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
    );
  }
  process.exit(1);
});
