import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TokenService } from '../../../lib/index.js';
import type { SampleConfig } from '../sample-config.js';
import { UsersService } from '../users/users.service.js';

/**
 * Creates or promotes the administrator of `SAMPLE_ADMIN_EMAIL` once the database is migrated.
 * Promoting an account that already existed revokes every session it had: whoever registered
 * that address first must not keep a refresh token that would now mint `admin` access tokens,
 * nor a live access token (the revoke-all path deny-lists those too).
 */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminBootstrap.name);

  constructor(
    private readonly config: ConfigService<SampleConfig, true>,
    private readonly users: UsersService,
    private readonly tokens: TokenService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.get('admin', { infer: true });
    if (admin === null) {
      return;
    }
    const { id, existed } = await this.users.ensureAdmin(admin.email, admin.password);
    if (existed) {
      // After the password change, not before: a login with the old password cannot slip in
      // between. A crash in between is healed by the next start, which revokes again.
      await this.tokens.revokeAllSessions(id);
      this.logger.log('revoked every session of the existing administrator account');
    }
  }
}
