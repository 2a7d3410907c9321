import { Test } from '@nestjs/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthModule, MemoryRefreshTokenStore } from '../../../lib/index.js';
import { testAuthOptions } from '../../support/keys.js';

describe('scheduled pruning', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  async function boot(pruneInterval: string | false) {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const store = new MemoryRefreshTokenStore();
    const prune = vi.spyOn(store, 'prune');
    const moduleRef = await Test.createTestingModule({
      imports: [
        AuthModule.forRoot(
          testAuthOptions('ES256', { refresh: { store, pruneInterval, resolveUser: () => null } }),
        ),
      ],
    }).compile();
    await moduleRef.init();
    return { moduleRef, prune };
  }

  it('prunes on the configured interval and stops at shutdown', async () => {
    const { moduleRef, prune } = await boot('1h');
    expect(prune).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(3600_000);
    expect(prune).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(3600_000);
    expect(prune).toHaveBeenCalledTimes(2);
    await moduleRef.close();
    await vi.advanceTimersByTimeAsync(3 * 3600_000);
    expect(prune).toHaveBeenCalledTimes(2);
  });

  it('does not prune on its own unless asked', async () => {
    const { moduleRef, prune } = await boot(false);
    await vi.advanceTimersByTimeAsync(30 * 24 * 3600_000);
    expect(prune).not.toHaveBeenCalled();
    await moduleRef.close();
  });
});
