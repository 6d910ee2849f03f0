import { deterministicUuid, mailStreamId, type Message } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { isSuspensionCause, normaliseAddress, RECOVER_SUSPENDED_TICKET, type RecoverSuspendedTicketV1, type SuspensionCause } from '@mailroom/mail-domain';
import { handleOnce, PermanentFailure, type QueueSpec } from '@mailroom/messaging';
import { handleMailReceived, type MailWorkerDeps } from '../mail-worker';

export const INGEST_COMMANDS_CONSUMER = 'ingest.commands';
export const INGEST_COMMANDS_QUEUE: QueueSpec = {
  name: INGEST_COMMANDS_CONSUMER,
  bindings: [{ exchange: 'commands', pattern: 'ingest.recover_suspended_ticket.*' }],
  retiredBindings: [{ exchange: 'commands', pattern: 'ingest.#' }],
};

export type RecoveryResult =
  /** The mail went through the normal flow again (it may have been suspended anew, for another cause). */
  | { kind: 'recovered'; mailId: string }
  /** Nothing to do: deleted, already recovered, or a command for an earlier suspension of the same mail. */
  | { kind: 'skipped'; reason: string };

interface RecoveredBy {
  id: number;
  email: string | null;
  name: string;
  at: string;
  /** Every cause an agent has overridden for this mail, so a second recovery does not bring back the first. */
  skipped: SuspensionCause[];
}

/**
 * Recovers one suspended ticket, in `tx`: marks it recovered and feeds its raw mail through the
 * worker again, skipping the checks it was suspended for. The mail keeps its own author as the
 * requester (the customer, not the agent, should hear about the ticket); only when it has no
 * usable sender does the recovering agent become the requester — Zendesk's single-recover rule,
 * applied where it is needed. Idempotent: a second command for the same suspension finds it
 * recovered and does nothing, and the worker's own inbox row (keyed by the recovery) guards the rest.
 */
export const recoverSuspendedTicket = async (deps: MailWorkerDeps, tx: Db, command: RecoverSuspendedTicketV1, at: Date): Promise<RecoveryResult> => {
  const rows = await tx.query<{ mail_id: string; cause: string; recovered_at: Date | null; recovery_count: number; recovered_by: RecoveredBy | null }>(
    `SELECT mail_id, cause, recovered_at, recovery_count, recovered_by FROM ingest.suspended_tickets WHERE id = $1 FOR UPDATE`,
    [command.suspendedTicketId],
  );
  const row = rows[0];
  if (!row) return { kind: 'skipped', reason: 'the suspended ticket no longer exists' };
  if (row.recovered_at !== null) return { kind: 'skipped', reason: 'already recovered' };
  if (row.recovery_count !== command.recoveryCount) return { kind: 'skipped', reason: 'the command is for an earlier suspension of this mail' };

  const skipped = [...new Set([...(row.recovered_by?.skipped ?? []), ...(isSuspensionCause(row.cause) ? [row.cause] : [])])];
  const recoveredBy: RecoveredBy = { id: command.agent.id, email: command.agent.email, name: command.agent.name, at: at.toISOString(), skipped };
  await tx.query(
    `UPDATE ingest.suspended_tickets SET recovered_at = $2, recovered_by = $3, recovery_count = recovery_count + 1, updated_at = $2 WHERE id = $1`,
    [command.suspendedTicketId, at.toISOString(), JSON.stringify(recoveredBy)],
  );

  const agent = command.agent.email ? normaliseAddress({ address: command.agent.email, name: command.agent.name }) : null;
  const recoveryId = deterministicUuid('recover-suspended-ticket', command.suspendedTicketId, command.recoveryCount);
  const replay: Message = {
    id: recoveryId,
    kind: 'event',
    type: 'mail.received',
    schemaVersion: 1,
    streamId: mailStreamId(row.mail_id),
    streamVersion: 0,
    globalPosition: '0',
    data: { mailId: row.mail_id },
    metadata: { correlationId: row.mail_id, causationId: recoveryId, occurredAt: at.toISOString() },
  };
  // The worker's transaction nests as a savepoint: recovery and its outcome commit together.
  await handleMailReceived({ ...deps, db: tx, clock: () => at }, replay, { skip: skipped, requester: agent });
  return { kind: 'recovered', mailId: row.mail_id };
};

/** The ingest command consumer: one handler per command type, refusing any other. */
export const handleIngestCommand = async (deps: MailWorkerDeps, m: Message): Promise<void> => {
  if (m.type !== RECOVER_SUSPENDED_TICKET) throw new PermanentFailure(`ingest has no handler for ${m.type}`);
  const at = (deps.clock ?? (() => new Date()))();
  await handleOnce(deps.db, INGEST_COMMANDS_CONSUMER, m.id, async (tx) => {
    await recoverSuspendedTicket(deps, tx, m.data as RecoverSuspendedTicketV1, at);
  });
};
