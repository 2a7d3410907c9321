// `node --import ./bench/support/register-ts.mjs bench/<name>/<name>.bench.ts`
import 'reflect-metadata';
import { register } from 'node:module';

register('./ts-loader.mjs', import.meta.url);
