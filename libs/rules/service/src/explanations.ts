import type { Db } from '@mailroom/database';
import type { SystemRuleNote, TriggerExplanation } from '@mailroom/rules-domain';

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

/** The explanation the rules service recorded for an update; null when triggers did not run on it. */
export const readExplanation = async (db: Db, updateId: string): Promise<UpdateExplanation | null> => {
  const rows = await db.query<{ update_id: string; ticket_id: string; created_at: Date; passes: number | null; capped: boolean; system_rules: SystemRuleNote[]; explanation: TriggerExplanation[] }>(
    `SELECT update_id, ticket_id, created_at, passes, capped, system_rules, explanation FROM rules.evaluations WHERE update_id = $1`,
    [updateId],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    updateId: r.update_id,
    ticketId: Number(r.ticket_id),
    evaluatedAt: new Date(r.created_at).toISOString(),
    passes: r.passes,
    capped: r.capped,
    systemRules: r.system_rules ?? [],
    triggers: r.explanation,
  };
};
