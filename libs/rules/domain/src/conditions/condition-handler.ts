import type { Condition, Directory, RuleTicket, RuleUpdate, Schedule } from '../model';

/** What a condition or action is evaluated against at one point of the trigger cycle. */
export interface RuleContext {
  update: RuleUpdate;
  /** The ticket as it stands now: the update's result plus whatever earlier triggers changed. */
  ticket: RuleTicket;
  directory: Directory;
  /** The instant business-hours conditions are judged at; without one they cannot be evaluated. */
  now?: Date;
  /** The account's schedules; the first is the default for a ticket without a schedule of its own. */
  schedules?: readonly Schedule[];
  /** Only the verdict is needed: handlers may leave out `detail` (the cycle's short-circuit passes). */
  brief?: boolean;
}

export interface ConditionVerdict {
  matched: boolean;
  /** What the ticket or update had, in words, for the explanation. */
  detail?: string;
  /** Set when the condition cannot be evaluated as written; the condition then counts as false. */
  problem?: string;
}

export type ConditionHandler = (condition: Condition, ctx: RuleContext) => ConditionVerdict;

export const problem = (text: string, detail?: string): ConditionVerdict => ({ matched: false, problem: text, detail });

export const unknownOperator = (condition: Condition, supported: readonly string[]): ConditionVerdict =>
  problem(`operator "${condition.operator}" is not supported for ${condition.field} (use ${supported.join(', ')})`);

export const show = (value: unknown): string => {
  if (value === null || value === undefined || value === '') return '-';
  if (typeof value === 'symbol') return 'nobody';
  return typeof value === 'string' ? value : JSON.stringify(value);
};
