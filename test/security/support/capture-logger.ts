import type { LoggerService } from '@nestjs/common';
import { inspect } from 'node:util';

/** One captured log call. */
export interface CapturedLog {
  readonly level: 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
  /** The message and every optional parameter (context, stack...) rendered as text. */
  readonly text: string;
}

/**
 * A Nest logger that records every call, stacks and contexts included, so a test can search
 * everything the application would have written (K02).
 */
export class CaptureLogger implements LoggerService {
  readonly entries: CapturedLog[] = [];

  /** Everything logged so far, one entry per line. */
  get text(): string {
    return this.entries.map((entry) => `${entry.level} ${entry.text}`).join('\n');
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.record('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.record('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.record('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.record('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.record('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.record('fatal', message, rest);
  }

  private record(level: CapturedLog['level'], message: unknown, rest: unknown[]): void {
    const render = (value: unknown): string =>
      typeof value === 'string' ? value : inspect(value, { depth: 6, breakLength: Infinity });
    this.entries.push({ level, text: [message, ...rest].map(render).join(' ') });
  }
}
