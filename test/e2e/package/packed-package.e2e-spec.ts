import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packPackage, scratchApp, type PackedPackage } from '../../support/packed-package.js';

// Subpaths and the packages each needs besides the root's own, as the README's Install section
// lists them. A subpath that loads more than this fails here, in an app that has nothing else.
const SUBPATHS: Record<string, readonly string[]> = {
  'nest-hybrid-auth': [],
  'nest-hybrid-auth/typeorm': ['typeorm'],
  'nest-hybrid-auth/redis': [],
  'nest-hybrid-auth/testing': [],
  'nest-hybrid-auth/verifier': [],
  'nest-hybrid-auth/passport': [
    '@nestjs/passport',
    'passport',
    'passport-jwt',
    'passport-strategy',
  ],
};
const OPTIONAL = ['typeorm', 'ioredis', 'passport', 'passport-jwt', '@nestjs/passport'];

// A verify-only service: signs a token with jose as an issuer would, then verifies it through
// AuthModule, in an app where typeorm, passport and ioredis were never installed.
const VERIFY_ONLY = `
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { SignJWT, exportSPKI, generateKeyPair } from 'jose';
import { AuthModule, TokenService } from 'nest-hybrid-auth';

const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
const token = await new SignJWT({ roles: ['user'], sid: 's1' })
  .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
  .setIssuer('https://issuer.example').setAudience('api').setSubject('u1')
  .setIssuedAt().setExpirationTime('5m').setJti('j1')
  .sign(privateKey);

class Placeholder {}
const app = await NestFactory.createApplicationContext(
  { module: Placeholder, imports: [AuthModule.forRoot({
    issuer: 'https://issuer.example',
    audience: 'api',
    algorithm: 'ES256',
    keys: [{ publicKey: await exportSPKI(publicKey) }],
    refresh: false,
  })] },
  { logger: false },
);
const claims = await app.get(TokenService).verifyAccessToken(token);
for (const name of ${JSON.stringify(OPTIONAL)}) {
  await import(name).then(
    () => { throw new Error(name + ' should not be resolvable here'); },
    (error) => { if (error.code !== 'ERR_MODULE_NOT_FOUND') throw error; },
  );
}
console.log(JSON.stringify({ sub: claims.sub, roles: claims.roles }));
await app.close();
`;

describe('the package as npm installs it from the tarball', () => {
  let packed: PackedPackage;

  beforeAll(async () => {
    packed = await packPackage();
  }, 120_000);

  afterAll(async () => {
    await packed?.cleanup();
  });

  it('ships the built code, its types, README and LICENSE, and no sources or tests', () => {
    expect(packed.files).toEqual(
      expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/index.js']),
    );
    for (const subpath of Object.keys(packed.manifest.exports)) {
      if (subpath === './package.json') continue;
      const base = subpath === '.' ? 'dist/index' : `dist/${subpath.slice(2)}/index`;
      expect(packed.files, subpath).toEqual(expect.arrayContaining([`${base}.js`, `${base}.d.ts`]));
    }
    expect(
      packed.files.filter((file) => !/^(dist\/|LICENSE$|README\.md$|package\.json$)/.test(file)),
    ).toEqual([]);
    expect(
      packed.files.filter((file) => /\.(ts|map)$/.test(file) && !file.endsWith('.d.ts')),
    ).toEqual([]);
  });

  it('needs only jose, option validation and Nest at its root', () => {
    for (const optional of OPTIONAL) expect(packed.runtimeNeeds).not.toContain(optional);
  });

  it('runs a verify-only service where typeorm, passport and ioredis cannot be resolved', async () => {
    const app = await scratchApp(packed, packed.runtimeNeeds);
    try {
      await app.write('verify-only.mjs', VERIFY_ONLY);
      const output = await app.node('verify-only.mjs');
      expect(JSON.parse(output.trim().split('\n').at(-1) ?? '')).toEqual({
        sub: 'u1',
        roles: ['user'],
      });
    } finally {
      await app.cleanup();
    }
  });

  for (const [entry, needs] of Object.entries(SUBPATHS)) {
    for (const type of ['module', 'commonjs'] as const) {
      const how = type === 'module' ? 'import' : 'require';
      it(`loads ${entry} by ${how}() with only the packages it documents`, async () => {
        const app = await scratchApp(packed, [...packed.runtimeNeeds, ...needs], type);
        try {
          const file = type === 'module' ? 'load.mjs' : 'load.cjs';
          await app.write(
            file,
            type === 'module'
              ? `import 'reflect-metadata';\nconst entry = await import(${JSON.stringify(entry)});\nconsole.log(Object.keys(entry).length);`
              : `require('reflect-metadata');\nconst entry = require(${JSON.stringify(entry)});\nconsole.log(Object.keys(entry).length);`,
          );
          const output = await app.node(file);
          expect(Number(output.trim().split('\n').at(-1))).toBeGreaterThan(0);
          expect(output).not.toMatch(/ExperimentalWarning/);
        } finally {
          await app.cleanup();
        }
      });
    }
  }
});
