import { createClient } from 'node-zendesk';
import { AutomationStore } from '@mailroom/scheduler';
import { CLOSE_SOLVED_AUTOMATION, SATISFACTION_AUTOMATION, STANDARD_AUTOMATIONS } from '@mailroom/scheduler-domain';
import { ADMIN_EMAIL, ADMIN_TOKEN, startSystem, type System } from '../support/system';

type ZendeskAutomation = { id: number | string; title: string; active: boolean; position: number; conditions: { all: unknown[]; any: unknown[] }; actions: unknown[]; url: string; default: boolean };
type Failure = { statusCode?: number; result?: unknown };

/** Hours-since with a tag as nullifier: the shape of automation admins write most. */
const remindOnHold = (title: string) => ({
  title,
  conditions: {
    all: [
      { field: 'status', operator: 'is', value: 'hold' },
      { field: 'HOLD', operator: 'greater_than', value: '48' },
      { field: 'current_tags', operator: 'not_includes', value: 'hold_reminded' },
    ],
    any: [],
  },
  actions: [
    { field: 'priority', value: 'high' },
    { field: 'current_tags', value: 'hold_reminded' },
  ],
});

/**
 * The Automations API on the running services, driven through the node-zendesk client as far as it
 * goes: Zendesk's standard automations seeded once under Zendesk's titles and states, list, show,
 * create, update, update_many, active, search, delete, destroy_many; Zendesk's validation answered
 * with its 422; the standard close that can be neither deleted nor deactivated; and the account's
 * satisfaction setting adding the satisfaction request automation.
 */
describe('automations through the API', () => {
  let sys: System;
  let client: ReturnType<typeof createClient>;
  let strictClient: ReturnType<typeof createClient>;

  beforeAll(async () => {
    sys = await startSystem();
    client = createClient({ username: ADMIN_EMAIL, token: ADMIN_TOKEN, endpointUri: sys.apiBase } as never);
    strictClient = createClient({ username: ADMIN_EMAIL, token: ADMIN_TOKEN, endpointUri: sys.apiBase, throwOriginalException: true } as never);
  });
  afterAll(async () => sys?.close());

  const list = async () => (await client.automations.list()) as unknown as ZendeskAutomation[];
  const titles = async () => (await list()).map((a) => a.title);
  const failure = (p: Promise<unknown>) => p.then(() => undefined, (err: Failure) => err);
  const events = (type: string) =>
    sys.database.db.query<{ data: Record<string, unknown>; actor: { userId: number | null; role: string } }>(
      `SELECT data, metadata->'actor' AS actor FROM mailroom_events.messages WHERE stream_id = 'automations' AND type = $1 ORDER BY global_position`,
      [type],
    );

  it('lists the standard automations under Zendesk titles and states; only the close is active', async () => {
    const automations = await list();
    expect(automations.map((a) => a.title)).toEqual(['Close ticket 4 days after status is set to solved', 'Pending notification 24 hours', 'Pending notification 5 days']);
    expect(automations.map((a) => [a.active, a.position, a.default])).toEqual([
      [true, 1, true],
      [false, 2, true],
      [false, 3, true],
    ]);
    expect(automations[0]).toMatchObject({
      id: CLOSE_SOLVED_AUTOMATION.id,
      url: `http://127.0.0.1:3000/api/v2/automations/${CLOSE_SOLVED_AUTOMATION.id}.json`,
      conditions: { all: [{ field: 'status', operator: 'is', value: 'solved' }, { field: 'SOLVED', operator: 'greater_than', value: '96' }], any: [] },
      actions: [{ field: 'status', value: 'closed' }],
    });
    expect(((await client.automations.listActive()) as unknown as ZendeskAutomation[]).map((a) => a.title)).toEqual([CLOSE_SOLVED_AUTOMATION.title]);
    const inactive = await sys.api('/automations.json?active=false');
    expect(inactive.body).toMatchObject({ count: 2, next_page: null, previous_page: null });
    const shown = await sys.api(`/automations/${STANDARD_AUTOMATIONS[1].id}`);
    expect(shown.body.automation).toMatchObject({ title: 'Pending notification 24 hours', active: false });
    // Seeded by the system, each with its event.
    const created = await events('automation.created');
    expect(created.map((e) => [e.data.source, e.actor.role])).toEqual([
      ['standard', 'system'],
      ['standard', 'system'],
      ['standard', 'system'],
    ]);
  });

  it('seeds the standard automations once: deleted ones do not come back', async () => {
    const id = STANDARD_AUTOMATIONS[2].id;
    expect((await sys.api(`/automations/${id}.json`, { method: 'DELETE' })).status).toBe(204);
    expect(await new AutomationStore().seedStandard(sys.database.db, new Date().toISOString())).toBe(false);
    expect(await titles()).toEqual(['Close ticket 4 days after status is set to solved', 'Pending notification 24 hours']);
  });

  let holdId: number;

  it('creates, shows and updates an automation through node-zendesk; every change is an event with who made it', async () => {
    const created = (await client.automations.create({ automation: remindOnHold('Raise priority after 2 days on hold') })).result as unknown as ZendeskAutomation;
    expect(created).toMatchObject({ id: expect.any(Number), title: 'Raise priority after 2 days on hold', active: true, position: 3, default: false, url: expect.stringMatching(/\/api\/v2\/automations\/\d+\.json$/) });
    holdId = created.id as number;
    expect(((await client.automations.show(holdId)).result as unknown as ZendeskAutomation).conditions.all).toHaveLength(3);

    // Only the title: judged with the conditions and actions it keeps.
    const renamed = (await client.automations.update(holdId, { automation: { title: 'Raise on-hold tickets after 2 days' } })).result as unknown as ZendeskAutomation;
    expect(renamed).toMatchObject({ id: holdId, title: 'Raise on-hold tickets after 2 days', actions: remindOnHold('').actions });
    // A GET body sent back, read-only keys and all, changes nothing and is accepted.
    const again = await sys.api(`/automations/${holdId}.json`, { method: 'PUT', body: { automation: renamed } });
    expect(again.status).toBe(200);

    const [updated] = await events('automation.updated');
    expect(updated.data).toMatchObject({ automationId: String(holdId), changed: ['title'], source: 'api' });
    expect(updated.actor).toEqual({ userId: expect.any(Number), role: 'admin' });
    expect((await events('automation.updated')).length).toBe(1);
  });

  it('moves and switches automations with update_many, all or nothing; lists active ones and finds them by title', async () => {
    const moved = (await client.automations.updateMany([{ id: holdId, position: 0 }, { id: STANDARD_AUTOMATIONS[1].id, active: true }])).result as unknown as ZendeskAutomation[];
    expect(moved.map((a) => [a.id, a.position, a.active])).toEqual([
      [holdId, 0, true],
      [STANDARD_AUTOMATIONS[1].id, 2, true],
    ]);
    expect(await titles()).toEqual(['Raise on-hold tickets after 2 days', 'Close ticket 4 days after status is set to solved', 'Pending notification 24 hours']);
    expect(((await client.automations.listActive()) as unknown as ZendeskAutomation[]).length).toBe(3);

    const partly = await sys.api('/automations/update_many.json', { method: 'PUT', body: { automations: [{ id: holdId, position: 5 }, { id: 999999, position: 1 }] } });
    expect(partly.status).toBe(422);
    expect(((await client.automations.show(holdId)).result as unknown as ZendeskAutomation).position).toBe(0);
    const other = await sys.api('/automations/update_many.json', { method: 'PUT', body: { automations: [{ id: holdId, title: 'Sneaky' }] } });
    expect(other.status).toBe(422);

    const found = (await client.automations.search({ query: 'on-hold raise' })) as unknown as ZendeskAutomation[];
    expect(found.map((a) => a.id)).toEqual([holdId]);
    expect((await sys.api('/automations/search.json?query=pending')).body).toMatchObject({ count: 1, automations: [{ title: 'Pending notification 24 hours' }] });
    expect((await sys.api('/automations.json?sort_by=alphabetical')).body.automations.map((a: ZendeskAutomation) => a.title)).toEqual([
      'Close ticket 4 days after status is set to solved',
      'Pending notification 24 hours',
      'Raise on-hold tickets after 2 days',
    ]);
    await client.automations.updateMany([{ id: STANDARD_AUTOMATIONS[1].id, active: false }]);
  });

  it('refuses automations Zendesk would refuse, with its 422 body', async () => {
    const attempt = (automation: Record<string, unknown>) => failure(strictClient.automations.create({ automation }));
    const base = remindOnHold('Bad');

    const noTime = await attempt({ ...base, conditions: { all: [{ field: 'status', operator: 'is', value: 'hold' }, { field: 'current_tags', operator: 'not_includes', value: 'x' }], any: [] } });
    expect(noTime?.statusCode).toBe(422);
    expect(noTime?.result).toMatchObject({ error: 'RecordInvalid', description: 'Record validation errors' });
    expect((noTime?.result as { details: { base: unknown[] } }).details.base[0]).toEqual({
      description: 'Conditions: an automation needs at least one time condition (hours since …) in ALL',
      error: 'InvalidValue',
      field: 'conditions.all',
    });
    const timeInAny = await attempt({ ...base, conditions: { all: base.conditions.all, any: [{ field: 'PENDING', operator: 'greater_than', value: '1' }] } });
    expect(timeInAny?.result).toMatchObject({ details: { base: [{ field: 'conditions.any[0]', description: expect.stringMatching(/allowed in ALL only/) }] } });
    const noStatus = await attempt({ ...base, conditions: { all: [{ field: 'HOLD', operator: 'is', value: '48' }], any: [] } });
    expect(noStatus?.result).toMatchObject({ details: { base: [{ field: 'conditions.all', description: expect.stringMatching(/status, type, group, assignee or requester/) }] } });
    const everyHour = await attempt({ ...base, conditions: { all: base.conditions.all.slice(0, 2), any: [] }, actions: [{ field: 'priority', value: 'high' }] });
    expect(everyHour?.result).toMatchObject({ details: { base: [{ field: 'base', description: expect.stringMatching(/true only once .* or it would fire every hour/) }] } });
    const triggerOnly = await attempt({ ...base, conditions: { all: [...base.conditions.all, { field: 'update_type', operator: 'is', value: 'Change' }], any: [] } });
    expect(triggerOnly?.result).toMatchObject({ details: { base: [{ field: 'conditions.all[3]', description: expect.stringMatching(/triggers only/) }] } });
    const noTitle = await attempt({ conditions: base.conditions, actions: base.actions });
    expect(noTitle?.result).toMatchObject({ details: { base: [{ field: 'title', description: 'Title: cannot be blank' }] } });

    // An update is judged whole: dropping the nullifying action of an automation that needs it.
    const dropped = await failure(strictClient.automations.update(holdId, { automation: { actions: [{ field: 'priority', value: 'high' }] } }));
    expect(dropped?.statusCode).toBe(422);
    expect(await titles()).not.toContain('Bad');
    expect((await failure(strictClient.automations.show(987654)))?.statusCode).toBe(404);
  });

  it('agents read automations; only admins change them', async () => {
    await client.users.create({ user: { name: 'Avery Agent', email: 'avery@mailroom.test', role: 'agent' } });
    const agent = createClient({ username: 'avery@mailroom.test', token: ADMIN_TOKEN, endpointUri: sys.apiBase, throwOriginalException: true } as never);
    expect(((await agent.automations.list()) as unknown as ZendeskAutomation[]).length).toBe(3);
    expect((await failure(agent.automations.create({ automation: remindOnHold('Not mine to add') })))?.statusCode).toBe(403);
    expect((await failure(agent.automations.update(holdId, { automation: { title: 'Not mine to change' } })))?.statusCode).toBe(403);
    expect((await failure(agent.automations.delete(holdId)))?.statusCode).toBe(403);
  });

  it('the standard close can be edited but neither deactivated nor deleted', async () => {
    const id = CLOSE_SOLVED_AUTOMATION.id;
    const off = await sys.api(`/automations/${id}.json`, { method: 'PUT', body: { automation: { active: false } } });
    expect(off.status).toBe(422);
    expect(off.body).toEqual({
      error: 'RecordInvalid',
      description: 'Record validation errors',
      details: { base: [{ description: '"Close ticket 4 days after status is set to solved" cannot be deactivated', error: 'InvalidValue', field: 'active' }] },
    });
    expect((await sys.api('/automations/update_many.json', { method: 'PUT', body: { automations: [{ id, active: false }] } })).status).toBe(422);
    const del = await sys.api(`/automations/${id}.json`, { method: 'DELETE' });
    expect(del.status).toBe(422);
    expect(del.body.details.base[0].description).toBe('"Close ticket 4 days after status is set to solved" cannot be deleted');
    expect((await sys.api(`/automations/destroy_many.json?ids=${holdId},${id}`, { method: 'DELETE' })).status).toBe(422);
    expect(await titles()).toContain('Raise on-hold tickets after 2 days');

    const later = await sys.api(`/automations/${id}.json`, {
      method: 'PUT',
      body: { automation: { conditions: { all: [{ field: 'status', operator: 'is', value: 'solved' }, { field: 'SOLVED', operator: 'greater_than', value: '120' }], any: [] } } },
    });
    expect(later.status).toBe(200);
    expect(later.body.automation).toMatchObject({ active: true, conditions: { all: [{ field: 'status' }, { field: 'SOLVED', value: '120' }] } });
  });

  it('turning satisfaction ratings on adds the satisfaction request once; off pauses it, on again resumes it', async () => {
    const setting = async (enabled: boolean) => {
      const r = await sys.api('/account/settings.json', { method: 'PUT', body: { settings: { customer_satisfaction: { enabled } } } });
      expect(r.status).toBe(200);
      return r.body.settings.customer_satisfaction;
    };
    const satisfaction = async () => (await list()).find((a) => a.id === SATISFACTION_AUTOMATION.id);
    expect((await sys.api('/account/settings')).body.settings.customer_satisfaction).toEqual({ enabled: false });
    expect(await satisfaction()).toBeUndefined();

    expect(await setting(true)).toEqual({ enabled: true });
    expect((await sys.api('/account/settings.json')).body.settings.customer_satisfaction).toEqual({ enabled: true });
    const added = await satisfaction();
    expect(added).toMatchObject({ title: 'Request customer satisfaction rating (System Automation)', active: true, default: true });
    // Added last, after whatever the admin has.
    expect((await list()).at(-1)!.id).toBe(SATISFACTION_AUTOMATION.id);
    expect(added!.conditions).toEqual(SATISFACTION_AUTOMATION.conditions);
    await setting(true);
    expect((await titles()).filter((t) => t === SATISFACTION_AUTOMATION.title)).toHaveLength(1);

    await setting(false);
    expect((await satisfaction())!.active).toBe(false);
    await setting(true);
    expect((await satisfaction())!.active).toBe(true);
    const sources = (await events('automation.updated')).filter((e) => e.data.automationId === SATISFACTION_AUTOMATION.id).map((e) => [e.data.source, e.actor.role]);
    expect(sources).toEqual([
      ['satisfaction_ratings_off', 'admin'],
      ['satisfaction_ratings_on', 'admin'],
    ]);

    // An admin's own choice stands: deactivated by hand, it stays off when ratings come back on.
    await client.automations.update(SATISFACTION_AUTOMATION.id as never, { automation: { active: false } });
    await setting(false);
    await setting(true);
    expect((await satisfaction())!.active).toBe(false);
    // Deleted, it is not added again.
    await client.automations.delete(SATISFACTION_AUTOMATION.id as never);
    await setting(false);
    await setting(true);
    expect(await satisfaction()).toBeUndefined();
  });

  it('deletes automations one by one and many at once', async () => {
    const extra = (await client.automations.create({ automation: remindOnHold('Second reminder') })).result as unknown as ZendeskAutomation;
    const r = await sys.api(`/automations/destroy_many.json?ids=${holdId},${extra.id}`, { method: 'DELETE' });
    expect(r.status).toBe(204);
    expect((await failure(strictClient.automations.show(holdId)))?.statusCode).toBe(404);
    const pending = (await client.automations.create({ automation: { ...remindOnHold('Third'), active: false } })).result as unknown as ZendeskAutomation;
    expect(pending.active).toBe(false);
    await client.automations.delete(pending.id as number);
    expect(await titles()).toEqual(['Close ticket 4 days after status is set to solved', 'Pending notification 24 hours']);
    const deleted = await events('automation.deleted');
    expect(deleted.map((e) => e.data.title)).toEqual(expect.arrayContaining(['Pending notification 5 days', 'Raise on-hold tickets after 2 days', 'Second reminder', 'Third']));
  });
});
