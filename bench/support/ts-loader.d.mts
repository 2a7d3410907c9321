import type { CompilerOptions } from 'typescript';

export declare const compilerOptions: CompilerOptions;
