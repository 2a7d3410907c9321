export { connectionParamsCarrier, graphqlAuthContext } from './graphql-auth-context.js';
export type { GraphqlAuthContext } from './graphql-auth-context.js';
export { AuthGraphqlError } from '../http/auth-graphql-error.js';
export type { AuthGraphqlErrorCode } from '../http/auth-graphql-error.js';
