import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { SampleConfigError } from '../src/sample-config.js';
import { loadResourceServerConfig } from './resource-server-config.js';
import { ResourceServerModule } from './resource-server.module.js';

async function main(): Promise<void> {
  const config = loadResourceServerConfig();
  const app = await NestFactory.create(ResourceServerModule.forRoot(config), {
    logger: ['error', 'warn'],
    forceCloseConnections: true,
  });
  const stop = (): void => {
    // Nothing to flush (no database): close the server, then exit 0, within the 5 s of the sample.
    setTimeout(() => process.exit(1), 4500).unref();
    void app.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await app.listen(config.port, config.host);
  const { port } = app.getHttpServer().address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  process.stdout.write(`listening on http://${host}:${port}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    error instanceof SampleConfigError
      ? `${error.message}\n`
      : `resource server failed to start: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
  );
  process.exit(1);
});
