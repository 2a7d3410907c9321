import { Catch } from '@nestjs/common';
import { AuthErrorFilter } from '../../../lib/index.js';
import { toStoreUnavailable } from '../../../lib/typeorm/index.js';

/**
 * The library's filter (every error as `{ statusCode, error, message }`), plus the sample app's
 * one error of its own: a database driver error that escaped the guarded calls (a user lookup
 * while the database is down) answers 503 with `Retry-After`, not 500.
 */
@Catch()
export class HttpErrorFilter extends AuthErrorFilter {
  protected override mapException(exception: unknown): unknown {
    return toStoreUnavailable(exception);
  }
}
