import type { MessageMetadata, NewMessage, Via } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { EventStore, insertRows, rebuildReadModels } from '@mailroom/event-store';
import { schedulerProjectionRebuild } from '@mailroom/scheduler';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { peopleReadModelRebuild } from '../people/people-rebuild';
import { ticketReadModelRebuild } from './ticket-rebuild';

const MODELS = [ticketReadModelRebuild, peopleReadModelRebuild, schedulerProjectionRebuild];
const TABLES = MODELS.flatMap((m) => m.tables);

const snapshot = async (db: Db): Promise<Record<string, unknown[]>> => {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) out[table] = await db.query(`SELECT * FROM ${table} ORDER BY id`);
  return out;
};

/**
 * A rebuild writes with COPY (`copyRows`, the default) and reads only the bodies of the events its
 * folds take; the former path read every body and wrote with `insertRows`. Over the same log, with
 * strings that COPY's text format must escape, both give the same rows.
 */
describe('rebuild writers: COPY against json_populate_recordset', () => {
  let t: TestDatabase;
  const store = new EventStore();
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t?.drop());

  it('writes the same rows into every read model table', async () => {
    let clock = Date.UTC(2026, 0, 1);
    const now = () => new Date((clock += 60_000)).toISOString();
    const odd = ['tab\tin it', 'two\nlines', 'back\\slash', '"quoted", {braced}', 'ünïcödé ✓', '\\N'];
    const append = (stream: string, events: { type: string; data: unknown }[], meta: Partial<MessageMetadata>) =>
      t.db.transaction((tx) => store.append(tx, stream, stream.split('-')[0], 'any', events as NewMessage[], { ...meta, occurredAt: now() }));
    const system = { actor: { userId: null, role: 'system' as const } };
    const admin = { actor: { userId: 1, role: 'admin' as const } };
    for (let u = 1; u <= 6; u++) {
      await append(`user-${u}`, [{ type: 'user.created', data: { userId: u, name: `User ${odd[u - 1]}`, email: `user${u}@customer.test`, role: u <= 2 ? 'agent' : 'end_user', organizationId: u % 2 ? 1 : null, createdAt: now() } }], system);
    }
    await append('user-3', [{ type: 'user.updated', data: { userId: 3, name: 'Renamed\tthree', updatedAt: now() } }], admin);
    await append('group-1', [{ type: 'group.created', data: { groupId: 1, name: `Group ${odd[2]}`, description: odd[1], isDefault: true, createdAt: now() } }], admin);
    await append('group-1', [{ type: 'group_membership.created', data: { membershipId: 10, groupId: 1, userId: 2, isDefault: true, createdAt: now() } }], admin);
    await append('organization-1', [{ type: 'organization.created', data: { organizationId: 1, name: 'Org "one"', domainNames: ['one.test', 'a,b.test'], details: odd[0], notes: odd[5], tags: ['x\\y', 'z'], sharedTickets: false, sharedComments: false, groupId: null, externalId: null, createdAt: now() } }], admin);
    let commentId = 0;
    for (let id = 1; id <= 20; id++) {
      const s = odd[id % odd.length];
      const via: Via = { channel: 'email', source: { from: { address: 'user3@customer.test', name: s }, to: { address: 'support@mailroom.test' }, rel: null } };
      const customer = { actor: { userId: 3, role: 'end_user' as const }, via };
      const comment = (authorId: number, body: string, pub: boolean) => ({ type: 'ticket.comment_added', data: { ticketId: id, commentId: ++commentId, authorId, body, htmlBody: `<p>${body}</p>`, public: pub, attachments: [], via, mail: null, createdAt: now() } });
      await append(
        `ticket-${id}`,
        [
          { type: 'ticket.created', data: { ticketId: id, subject: `Subject ${s}`, requesterId: 3, submitterId: 3, recipient: 'support@mailroom.test', status: 'new', priority: null, type: null, groupId: null, assigneeId: null, tags: [], ccIds: [], externalId: null, organizationId: null, via, mail: null, createdAt: now() } },
          comment(3, `Body ${s}`, true),
        ],
        customer,
      );
      const rule = { kind: 'trigger' as const, id: '11', title: `Rule ${s}` };
      await append(
        `ticket-${id}`,
        [
          { type: 'ticket.group_changed', data: { ticketId: id, from: null, to: 1, rule } },
          { type: 'ticket.tags_changed', data: { ticketId: id, tags: ['printer', s], added: ['printer', s], removed: [], rule } },
          { type: 'ticket.notification_requested', data: { ticketId: id, notificationId: `n-${id}`, rule, recipientIds: [3], suppressed: [], subject: `[${id}] ${s}`, body: s } },
        ],
        system,
      );
      await append(`ticket-${id}`, [{ type: 'ticket.notification_delivered', data: { ticketId: id, notificationId: `n-${id}`, to: ['user3@customer.test'], messageId: `<n-${id}@mailroom.test>`, relayResponse: '250 ok', deliveredAt: now() } }], system);
      const agent = { actor: { userId: 2, role: 'agent' as const }, via };
      await append(
        `ticket-${id}`,
        [{ type: 'ticket.assignee_changed', data: { ticketId: id, from: null, to: 2 } }, { type: 'ticket.status_changed', data: { ticketId: id, from: 'new', to: id % 3 ? 'open' : 'solved' } }, comment(2, `Reply\r\n${s}`, id % 2 === 0)],
        agent,
      );
    }
    // A command in a ticket stream: no fold reads it, yet it holds a version of the stream.
    await append('ticket-1', [{ type: 'ticket.apply_rule_actions', data: { ticketId: 1 } }].map((c) => ({ ...c, kind: 'command' })), system);
    await append('ticket-1', [{ type: 'ticket.priority_changed', data: { ticketId: 1, from: null, to: 'high' } }], system);

    await rebuildReadModels(t.db, store, MODELS, { writer: insertRows, pageSize: 13 });
    const before = await snapshot(t.db);
    expect(before['ticket.tickets']).toHaveLength(20);
    expect(before['ticket.comments']).toHaveLength(40);
    expect(before['ticket.groups']).toHaveLength(1);
    expect(before['scheduler.tickets']).toHaveLength(20);
    await t.db.query(`TRUNCATE ${TABLES.join(', ')}`);
    await rebuildReadModels(t.db, store, MODELS, { pageSize: 13 });
    expect(await snapshot(t.db)).toEqual(before);
    // And each model on its own (its own event types only) gives its part of the same rows.
    for (const model of MODELS) await rebuildReadModels(t.db, store, [model]);
    expect(await snapshot(t.db)).toEqual(before);
  });
});
