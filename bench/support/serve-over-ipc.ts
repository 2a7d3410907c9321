import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';

/** Extra IPC commands a benchmark server answers (e.g. seeding sessions). */
export type IpcHandlers = Record<string, (payload: unknown) => unknown>;

interface Command {
  readonly id: number;
  readonly type: string;
  readonly payload?: unknown;
}

function send(message: unknown): void {
  process.send?.(message);
}

/**
 * Child side of {@link ServerProcess}: listens with `app` on 127.0.0.1 (an ephemeral port),
 * reports the port, and answers `stats`, `gc`, `stop` and the given handlers over IPC.
 */
export async function serveOverIpc(
  app: INestApplication,
  handlers: IpcHandlers = {},
): Promise<void> {
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  // An orphaned server would keep a port and a core busy: leave with the parent.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (command: Command) => {
    void (async () => {
      try {
        if (command.type === 'stop') {
          await app.close();
          process.exit(0);
        }
        let result: unknown;
        if (command.type === 'stats') {
          const cpu = process.cpuUsage();
          const memory = process.memoryUsage();
          result = { cpuMicros: cpu.user + cpu.system, rss: memory.rss, heapUsed: memory.heapUsed };
        } else if (command.type === 'gc') {
          (globalThis as { gc?: () => void }).gc?.();
          result = true;
        } else {
          const handler = handlers[command.type];
          if (handler === undefined) throw new Error(`unknown command ${command.type}`);
          result = await handler(command.payload);
        }
        send({ id: command.id, result });
      } catch (error) {
        send({
          id: command.id,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        });
      }
    })();
  });
  send({ ready: port });
}

/** Reports a start-up failure to the parent instead of dying silently. */
export function failStartup(error: unknown): void {
  const message = {
    error: error instanceof Error ? (error.stack ?? error.message) : String(error),
  };
  if (process.send === undefined) {
    console.error(message.error);
    process.exit(1);
  }
  process.send(message, () => process.exit(1));
}
