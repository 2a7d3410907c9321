import { Controller, Get } from '@nestjs/common';
import { CurrentUser, Roles, type AccessTokenClaims } from '../../lib/index.js';

/** What the caller's verified token says; any valid access token of the issuer. */
@Controller('whoami')
export class WhoAmIController {
  /** `200 { sub, roles, kid-independent claims }`, from the token alone. */
  @Get()
  whoami(@CurrentUser() claims: AccessTokenClaims): { sub: string; roles: readonly string[] } {
    return { sub: claims.sub, roles: claims.roles };
  }
}

/** A route for administrators only: 401 without a valid token, 403 without the role. */
@Roles('admin')
@Controller('reports')
export class ReportsController {
  /** `200 { reports: [...], for: sub }` */
  @Get()
  reports(@CurrentUser('sub') sub: string): { for: string; reports: readonly string[] } {
    return { for: sub, reports: ['revenue', 'signups'] };
  }
}
