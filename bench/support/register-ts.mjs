// `node --import ./bench/support/register-ts.mjs bench/<name>/<name>.bench.ts`
// Nest's decorators need the Reflect metadata API before any decorated class is defined.
// oxlint-disable-next-line import/no-unassigned-import
import 'reflect-metadata';
import { register } from 'node:module';

register('./ts-loader.mjs', import.meta.url);
