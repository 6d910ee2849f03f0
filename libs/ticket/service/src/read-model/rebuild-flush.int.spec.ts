import { randomUUID } from 'node:crypto';
import type { MessageMetadata, NewMessage, Via } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { EventStore, rebuildReadModels } from '@mailroom/event-store';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { ticketReadModelRebuild } from './ticket-rebuild';

const TABLES = ticketReadModelRebuild.tables;

const snapshot = async (db: Db): Promise<Record<string, unknown[]>> => {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) out[table] = await db.query(`SELECT * FROM ${table} ORDER BY id`);
  return out;
};

/**
 * The ticket rebuild writes comments and audits while it reads the log (`flush`, between pages).
 * An audit a rule's update joins pages later, and a comment id seen twice, change rows flushed
 * already: they are written again, final. In small pages and in one page, the same rows.
 */
describe('ticket rebuild: rows flushed between pages', () => {
  let t: TestDatabase;
  const store = new EventStore();
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t?.drop());

  it('gives the rows of a rebuild that writes everything at the end', async () => {
    let clock = Date.UTC(2026, 0, 1);
    const now = () => new Date((clock += 60_000)).toISOString();
    const append = (stream: string, events: { type: string; data: unknown }[], meta: Partial<MessageMetadata>) =>
      t.db.transaction((tx) => store.append(tx, stream, stream.split('-')[0], 'any', events as NewMessage[], { ...meta, occurredAt: now() }));
    const via: Via = { channel: 'email', source: { from: { address: 'user3@customer.test', name: 'Customer' }, to: { address: 'support@mailroom.test' }, rel: null } };
    const customer = { actor: { userId: 3, role: 'end_user' as const }, via };
    const comment = (ticketId: number, commentId: number, body: string) => ({
      type: 'ticket.comment_added',
      data: { ticketId, commentId, authorId: 3, body, htmlBody: `<p>${body}</p>`, public: true, attachments: [], via, mail: null, createdAt: now() },
    });
    const created: string[] = [];
    for (let id = 1; id <= 6; id++) {
      const updateId = randomUUID();
      created.push(updateId);
      await append(
        `ticket-${id}`,
        [
          { type: 'ticket.created', data: { ticketId: id, subject: `Subject ${id}`, requesterId: 3, submitterId: 3, recipient: 'support@mailroom.test', status: 'new', priority: null, type: null, groupId: null, assigneeId: null, tags: [], ccIds: [], externalId: null, organizationId: null, via, mail: null, createdAt: now() } },
          comment(id, id, `Body ${id}`),
        ],
        { ...customer, updateId },
      );
      await append(`ticket-${id}`, [{ type: 'ticket.status_changed', data: { ticketId: id, from: 'new', to: 'open' } }], customer);
    }
    // A rule's update joins the update that caused it, many pages after it.
    const rule = { kind: 'trigger' as const, id: '11', title: 'Late rule' };
    const ruleVia = { channel: 'rule', source: { from: { id: '11', title: rule.title }, to: {}, rel: 'trigger' } } as Via;
    for (const id of [1, 4]) {
      await append(`ticket-${id}`, [{ type: 'ticket.tags_changed', data: { ticketId: id, tags: ['late'], added: ['late'], removed: [], rule } }], {
        actor: { userId: null, role: 'system' },
        via: ruleVia,
        causationId: created[id - 1],
      });
    }
    // A comment id seen again, in another ticket's update: the first comment takes that update's audit.
    await append('ticket-6', [comment(6, 2, 'Again')], customer);
    await append('ticket-5', [{ type: 'ticket.status_changed', data: { ticketId: 5, from: 'open', to: 'solved' } }], customer);

    await rebuildReadModels(t.db, store, [ticketReadModelRebuild], { pageSize: 100_000 });
    const whole = await snapshot(t.db);
    expect(whole['ticket.tickets']).toHaveLength(6);
    expect(whole['ticket.audits'].length).toBeGreaterThanOrEqual(13);
    for (const pageSize of [1, 2, 3, 5]) {
      await t.db.query(`TRUNCATE ${TABLES.join(', ')}`);
      await rebuildReadModels(t.db, store, [ticketReadModelRebuild], { pageSize });
      expect(await snapshot(t.db)).toEqual(whole);
      // Over the rows just written, too.
      await rebuildReadModels(t.db, store, [ticketReadModelRebuild], { pageSize });
      expect(await snapshot(t.db)).toEqual(whole);
    }
  });
});
