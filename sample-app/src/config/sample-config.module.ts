import { Module, type DynamicModule } from '@nestjs/common';
import type { SampleConfig } from '../sample-config.js';

/** DI token of the validated {@link SampleConfig}. */
export const SAMPLE_CONFIG = Symbol('SAMPLE_CONFIG');

/** Provides the validated configuration to every module of the sample app. */
@Module({})
export class SampleConfigModule {
  /**
   * @example SampleConfigModule.forRoot(loadSampleConfig())
   */
  static forRoot(config: SampleConfig): DynamicModule {
    return {
      module: SampleConfigModule,
      global: true,
      providers: [{ provide: SAMPLE_CONFIG, useValue: config }],
      exports: [SAMPLE_CONFIG],
    };
  }
}
