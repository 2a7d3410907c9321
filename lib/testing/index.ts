// nest-hybrid-auth/testing: what an app's own tests need (a clock, keys, tokens without a
// login, a stand-in for the global guard), and what authors of a custom store need to prove it keeps the session rules. The
// contract takes the runner's test functions, so this entry point loads no test framework.

export { authenticateAs } from './authenticate-as.js';
export type { AuthenticateAsClaims } from './authenticate-as.js';
export { FixedClock } from './fixed-clock.js';
export { generateSigningKey } from './generate-signing-key.js';
export type { GeneratedSigningKey } from './generate-signing-key.js';
export { mintAccessToken } from './mint-access-token.js';
export type { ProviderSource } from './mint-access-token.js';
export { refreshTokenStoreContract } from './refresh-token-store-contract.js';
export type {
  ContractAssertion,
  ContractOptions,
  ContractTestApi,
  RaceFigures,
  RefreshTokenStoreFactory,
  StoreUnderTest,
} from './refresh-token-store-contract.js';
