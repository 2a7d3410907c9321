export { JoseJwtStrategy } from './jose-jwt.strategy.js';
export type { JoseJwtStrategyOptions, JoseJwtVerifyCallback } from './jose-jwt.strategy.js';
export { JwtAuthGuard } from './jwt-auth.guard.js';
export { JwtPassportStrategy } from './jwt-passport.strategy.js';
