import type { Db } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import { explainRecord, explanationRecordOf, type ExplanationRecord, type RuleUpdate, type SystemRuleNote, type TriggerEvaluation, type TriggerExplanation } from '@mailroom/rules-domain';
import { TriggerHistory } from './triggers/trigger-history';
import type { TriggerSet } from './triggers/compiled-triggers';

/** What the trigger cycle of one update did and why: the record behind the explanation endpoint. */
export interface UpdateExplanation {
  updateId: string;
  ticketId: number;
  evaluatedAt: string;
  /** Passes over the trigger list (null for evaluations recorded before passes were kept). */
  passes: number | null;
  capped: boolean;
  systemRules: SystemRuleNote[];
  /** One entry per active trigger, in run order, each condition with its result. */
  triggers: TriggerExplanation[];
}

/**
 * Records the trigger cycle of one update (`rules.evaluations`). When the trigger set can be had
 * again from the `triggers` stream at its version (`replayable`), only the compact record is
 * stored (`explanationRecordOf`: fired triggers with their outcomes, the ticket states judged
 * against, what conditions read) and the per-condition explanation is made when asked for;
 * otherwise the explanation is stored whole, as before.
 */
export const recordEvaluation = async (
  tx: Db,
  e: { ticketId: number; update: RuleUpdate; result: TriggerEvaluation; triggers: Pick<TriggerSet, 'version' | 'replayable'> },
): Promise<void> => {
  const { result, update } = e;
  const compact = e.triggers.replayable;
  await tx.query(
    `INSERT INTO rules.evaluations (update_id, ticket_id, explanation, triggers_version, record, passes, capped, system_rules, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
    [
      update.updateId,
      e.ticketId,
      compact ? null : JSON.stringify(result.explanation),
      compact ? e.triggers.version : null,
      compact ? JSON.stringify(explanationRecordOf(result)) : null,
      result.passes,
      result.capped,
      JSON.stringify(result.systemRules),
      update.occurredAt ?? new Date().toISOString(),
    ],
  );
};

/** Trigger histories of callers that do not bring their own, one per database. */
const histories = new WeakMap<Db, TriggerHistory>();
const historyOf = (db: Db): TriggerHistory => {
  let history = histories.get(db);
  if (!history) {
    history = new TriggerHistory(new EventStore());
    histories.set(db, history);
  }
  return history;
};

interface EvaluationRow {
  update_id: string;
  ticket_id: string;
  created_at: Date;
  passes: number | null;
  capped: boolean;
  system_rules: SystemRuleNote[];
  explanation: TriggerExplanation[] | null;
  triggers_version: string | null;
  record: ExplanationRecord | null;
}

/**
 * The explanation of an update's trigger cycle; null when triggers did not run on it. Rows stored
 * whole are served as they are; compact ones are explained against the trigger set of their
 * version, folded from the `triggers` stream (a trigger edited since is explained as it was then).
 */
export const readExplanation = async (db: Db, updateId: string, history: TriggerHistory = historyOf(db)): Promise<UpdateExplanation | null> => {
  const rows = await db.query<EvaluationRow>(
    `SELECT update_id, ticket_id, created_at, passes, capped, system_rules, explanation, triggers_version, record FROM rules.evaluations WHERE update_id = $1`,
    [updateId],
  );
  const r = rows[0];
  if (!r) return null;
  let triggers = r.explanation;
  if (triggers === null) {
    if (r.record === null || r.triggers_version === null) throw new Error(`evaluation of update ${updateId} has neither an explanation nor a record`);
    triggers = explainRecord(await history.ruleSetAt(db, Number(r.triggers_version)), r.record);
  }
  return {
    updateId: r.update_id,
    ticketId: Number(r.ticket_id),
    evaluatedAt: new Date(r.created_at).toISOString(),
    passes: r.passes,
    capped: r.capped,
    systemRules: r.system_rules ?? [],
    triggers,
  };
};
