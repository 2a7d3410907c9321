import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AuthModuleOptions } from './options/auth-module-options.js';

/**
 * What Nest's `ConfigurableModuleBuilder` generates for {@link AuthModule}: the base class with
 * `forRoot` / `forRootAsync` (plus `isGlobal`), and `AUTH_MODULE_OPTIONS`, the DI token of the
 * options exactly as given (the validated ones are under `AUTH_OPTIONS`).
 */
export const {
  ConfigurableModuleClass: ConfigurableAuthModule,
  MODULE_OPTIONS_TOKEN: AUTH_MODULE_OPTIONS,
  OPTIONS_TYPE: AUTH_MODULE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: AUTH_MODULE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AuthModuleOptions>({ moduleName: 'Auth' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createAuthOptions')
  .setExtras({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();

/** `AuthModule.forRoot()` options: the module options plus `isGlobal`. */
export type AuthModuleRootOptions = typeof AUTH_MODULE_OPTIONS_TYPE;

/** `AuthModule.forRootAsync()` options: `useFactory` / `useClass` / `useExisting`, `inject`, `imports`, `isGlobal`. */
export type AuthModuleAsyncOptions = typeof AUTH_MODULE_ASYNC_OPTIONS_TYPE;

/** What a `useClass` / `useExisting` provider of `forRootAsync` implements. */
export interface AuthOptionsFactory {
  createAuthOptions(): AuthModuleOptions | Promise<AuthModuleOptions>;
}
