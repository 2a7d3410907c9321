import { IsNull, type DataSource, type EntitySchema } from 'typeorm';
import type {
  RefreshTokenRecord,
  RotateRefreshTokenCommand,
} from '../refresh-token/refresh-token.store.js';

/**
 * @internal Undoes a rotation that the database completed after the store had answered
 * "unavailable" (a server that froze with the statement in its socket buffer runs it when it
 * resumes): the client never received the successor and still holds the parent, so the
 * parent becomes unspent again and the successor, which nobody holds, is deleted. Without
 * this, the client's retry after the outage would count as reuse once the grace window has
 * passed, and revoke a session that did nothing wrong.
 *
 * Conditional on the rotation being exactly this one (the parent's successor is this child)
 * and the child untouched, in one transaction.
 */
export async function undoLateRotation(
  dataSource: DataSource,
  tokenSchema: EntitySchema<RefreshTokenRecord>,
  command: RotateRefreshTokenCommand,
): Promise<void> {
  await dataSource.transaction(async (manager) => {
    const removed = await manager.delete(tokenSchema, {
      id: command.child.id,
      spentAt: IsNull(),
      revokedAt: IsNull(),
    });
    if (removed.affected !== 1) return;
    await manager.update(
      tokenSchema,
      { id: command.parentId, successorId: command.child.id, revokedAt: IsNull() },
      { spentAt: null, successorId: null, lastUsedAt: null },
    );
  });
}
