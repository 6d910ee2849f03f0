import { ticketStreamId, updateOf, type Actor, type NewMessage, type Via } from '@mailroom/contracts';
import { EventStore } from '@mailroom/event-store';
import { compileRuleSet, evaluateCompiled, type RuleTicket, type RuleUpdate, type Trigger } from '@mailroom/rules-domain';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { readExplanation, recordEvaluation } from './explanations';
import { handleRulesUpdate, loadRuleDirectory } from './rules-consumer';
import { toRuleUpdate } from './rule-ticket';
import { CompiledTriggers } from './triggers/compiled-triggers';
import { TriggerHistory } from './triggers/trigger-history';
import { TriggerStore } from './triggers/trigger-store';

const ADMIN: Actor = { userId: null, role: 'system' };
const JANE = 501;
const now = () => new Date().toISOString();
const viaMail: Via = { channel: 'email', source: { from: { address: 'jane@customer.test' }, to: { address: 'support@mailroom.test' }, rel: null } };
const json = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/**
 * The rules consumer stores a compact record per update (`rules.evaluations.record`, with the
 * version of the `triggers` stream) and the explanation is made when asked for, from the triggers
 * as they were at that version: editing, deleting or adding triggers afterwards changes nothing in
 * it. Rows stored whole (before the change, or for a set the stream cannot give back) are served
 * as they are.
 */
describe('trigger explanations made when asked for', () => {
  let t: TestDatabase;
  const store = new EventStore();
  const triggers = new TriggerStore(store);
  const sets = new CompiledTriggers(store);
  const deps = () => ({ db: t.db, store, triggers: sets });

  beforeAll(async () => {
    t = await createTestDatabase();
    await triggers.seedStandard(t.db, now());
    await t.db.transaction((tx) =>
      store.append(tx, `user-${JANE}`, 'user', 'no_stream', [{ type: 'user.created', data: { userId: JANE, name: 'Jane Customer', email: 'jane@customer.test', role: 'end_user', createdAt: now() } }], { actor: ADMIN, occurredAt: now() }),
    );
    await handleRulesUpdate(deps(), updateOf(await store.readStream(t.db, `user-${JANE}`)));
  });
  afterAll(async () => t?.drop());

  /** A new ticket by mail from Jane, through the rules consumer; its update id. */
  const newTicket = async (ticketId: number, subject: string, body: string): Promise<string> => {
    const at = now();
    const events: NewMessage[] = [
      {
        type: 'ticket.created',
        data: { ticketId, subject, requesterId: JANE, submitterId: JANE, recipient: 'support@mailroom.test', status: 'new', priority: null, type: null, groupId: null, assigneeId: null, tags: [], ccIds: [], externalId: null, via: viaMail, mail: null, createdAt: at },
      },
      { type: 'ticket.comment_added', data: { ticketId, commentId: ticketId * 10, authorId: JANE, body, htmlBody: `<p>${body}</p>`, public: true, attachments: [], via: viaMail, mail: null, createdAt: at } },
    ];
    await t.db.transaction((tx) => store.append(tx, ticketStreamId(ticketId), 'ticket', 'no_stream', events, { actor: { userId: JANE, role: 'end_user' }, via: viaMail, occurredAt: at }));
    const messages = await store.readStream(t.db, ticketStreamId(ticketId));
    await handleRulesUpdate(deps(), updateOf(messages));
    return messages[0].metadata.updateId!;
  };

  const created = async (input: Record<string, unknown>): Promise<Trigger> => {
    const r = await t.db.transaction((tx) => triggers.create(tx, input as never, ADMIN, now()));
    if (!r.ok) throw new Error(JSON.stringify(r.refusal));
    return r.value.trigger as Trigger;
  };

  it('explains an update with a trigger as it was, after the trigger is edited, another deleted and one added', async () => {
    const refund = await created({
      title: 'Tag refund requests',
      conditions: { all: [{ field: 'update_type', operator: 'is', value: 'Create' }, { field: 'comment_includes_word', operator: 'includes', value: 'refund' }], any: [] },
      actions: [{ field: 'current_tags', value: 'refund_request' }],
    });
    const doomed = await created({ title: 'Urgent subjects', conditions: { all: [{ field: 'subject_includes_word', operator: 'includes', value: 'urgent' }], any: [] }, actions: [{ field: 'priority', value: 'urgent' }] });
    const updateId = await newTicket(7001, 'Broken kettle', 'Please refund my kettle, it is broken.');

    // Stored compact: the record and the version, no explanation.
    const [row] = await t.db.query<{ explanation: unknown; triggers_version: string; record: { fired: { id: string }[] } }>(
      `SELECT explanation, triggers_version, record FROM rules.evaluations WHERE update_id = $1`,
      [updateId],
    );
    const set = await sets.current(t.db);
    expect(row.explanation).toBeNull();
    expect(Number(row.triggers_version)).toBe(set.version);
    expect(row.record.fired.map((f) => f.id)).toContain(refund.id);
    const before = await readExplanation(t.db, updateId);
    const refundThen = before!.triggers.find((x) => x.triggerId === refund.id)!;
    expect(refundThen).toMatchObject({ title: 'Tag refund requests', matched: true, fired: true, actions: [{ outcome: 'changed' }] });
    expect(refundThen.conditions.map((c) => [c.condition.value, c.matched])).toEqual([['Create', true], ['refund', true]]);

    // The same explanation the cycle gives at once, evaluating the update again against the set of that version.
    const state = (await t.db.query<{ state: RuleTicket }>(`SELECT state FROM rules.tickets WHERE id = 7001`))[0].state;
    const update = toRuleUpdate(await store.readStream(t.db, ticketStreamId(7001)), null, state);
    const { directory, schedules } = await loadRuleDirectory(t.db, update, set.namedUserIds);
    expect(json(before!.triggers)).toEqual(json(evaluateCompiled(update, set.ruleSet, directory, { schedules }).explanation));

    // The triggers change afterwards.
    const edited = await t.db.transaction((tx) =>
      triggers.update(tx, refund.id, { title: 'Tag money-back requests', conditions: { all: [{ field: 'comment_includes_word', operator: 'includes', value: 'money-back' }], any: [] } }, ADMIN, now()),
    );
    expect(edited.ok).toBe(true);
    expect((await t.db.transaction((tx) => triggers.delete(tx, doomed.id, ADMIN, now()))).ok).toBe(true);
    await created({ title: 'Added later', conditions: { all: [{ field: 'update_type', operator: 'is', value: 'Create' }], any: [] }, actions: [{ field: 'current_tags', value: 'later' }] });
    expect((await sets.current(t.db)).version).toBeGreaterThan(set.version);

    // The explanation is still the one of the update: a fresh history (another API replica) too.
    const after = await readExplanation(t.db, updateId, new TriggerHistory(store));
    expect(after).toEqual(before);
    expect(after!.triggers.map((x) => x.title)).toContain('Urgent subjects');
    expect(after!.triggers.map((x) => x.title)).not.toContain('Added later');
    expect(after!.triggers.find((x) => x.triggerId === refund.id)!.title).toBe('Tag refund requests');

    // A new update is explained with the triggers as they are now.
    const next = await readExplanation(t.db, await newTicket(7002, 'Money-back please', 'I want a money-back guarantee.'));
    expect(next!.triggers.find((x) => x.triggerId === refund.id)).toMatchObject({ title: 'Tag money-back requests', fired: true });
    expect(next!.triggers.map((x) => x.title)).toContain('Added later');
    expect(next!.triggers.map((x) => x.title)).not.toContain('Urgent subjects');
  });

  it('serves a row stored whole as it is', async () => {
    const explanation = [{ triggerId: 'old', title: 'Stored before', matched: false, fired: false, firedOrder: null, conditions: [], actions: [] }];
    const updateId = '00000000-0000-4000-8000-000000000001';
    await t.db.query(`INSERT INTO rules.evaluations (update_id, ticket_id, explanation, passes, capped, system_rules) VALUES ($1, 1, $2, 1, false, '[]')`, [updateId, JSON.stringify(explanation)]);
    expect((await readExplanation(t.db, updateId))!.triggers).toEqual(explanation);
  });

  it('stores the explanation whole when the stream cannot give the trigger set back', async () => {
    // A trigger row written outside the store: the stream does not know it.
    await t.db.query(
      `INSERT INTO rules.triggers (id, position, category_id, active, data) VALUES ('outside', 99, NULL, true, $1)`,
      [JSON.stringify({ id: 'outside', title: 'Written by hand', active: true, position: 99, category_id: null, description: '', conditions: { all: [], any: [] }, actions: [{ field: 'priority', value: 'low' }] })],
    );
    // The stream moves on (a category), so the set is built again with the row in it.
    await t.db.transaction((tx) => triggers.createCategory(tx, { name: 'Later' }, ADMIN, now()));
    const set = await sets.current(t.db);
    expect(set.ruleSet.ordered.map((x) => x.id)).toContain('outside');
    expect(set.replayable).toBe(false);
    const updateId = await newTicket(7003, 'By hand', 'Nothing special.');
    const [row] = await t.db.query<{ explanation: { triggerId: string }[] | null; record: unknown }>(`SELECT explanation, record FROM rules.evaluations WHERE update_id = $1`, [updateId]);
    expect(row.record).toBeNull();
    expect(row.explanation!.map((x) => x.triggerId)).toContain('outside');
    expect((await readExplanation(t.db, updateId))!.triggers.map((x) => x.triggerId)).toContain('outside');
    // Once the row is gone and the stream moves on, the set is the stream's again.
    await t.db.query(`DELETE FROM rules.triggers WHERE id = 'outside'`);
    await t.db.transaction((tx) => triggers.createCategory(tx, { name: 'Later still' }, ADMIN, now()));
    expect((await sets.current(t.db)).replayable).toBe(true);
  });

  it('records through recordEvaluation what explainRecord gives back, for a set compiled from the stream', async () => {
    const set = await sets.current(t.db);
    expect(set.replayable).toBe(true);
    const fromStream = await new TriggerHistory(store).ruleSetAt(t.db, set.version);
    expect(json(fromStream.ordered)).toEqual(json(set.ruleSet.ordered));
    expect(fromStream.categoryOrder).toEqual(set.ruleSet.categoryOrder);
    const update: RuleUpdate = {
      updateId: '00000000-0000-4000-8000-000000000002',
      isCreate: true,
      actor: { userId: JANE, role: 'end_user' },
      via: viaMail,
      comment: { authorId: JANE, public: true, body: 'money-back now' },
      mail: null,
      before: null,
      after: { id: 9, status: 'new', priority: null, type: null, groupId: null, assigneeId: null, requesterId: JANE, organizationId: null, tags: [], ccIds: [], recipient: null, subject: 'Hi', hasPublicComments: true },
      occurredAt: now(),
    };
    const { directory, schedules } = await loadRuleDirectory(t.db, update, set.namedUserIds);
    const result = evaluateCompiled(update, set.ruleSet, directory, { schedules });
    await recordEvaluation(t.db, { ticketId: 9, update, result, triggers: set });
    expect(json((await readExplanation(t.db, update.updateId))!.triggers)).toEqual(json(result.explanation));
    expect(json(result.explanation)).toEqual(json(evaluateCompiled(update, compileRuleSet(json(set.ruleSet.ordered) as Trigger[], set.ruleSet.categoryOrder), directory, { schedules }).explanation));
  });
});
