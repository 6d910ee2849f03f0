// Benchmark: rebuilding read models from the event log (`npm run rebuild`), in events per second.
// It creates a database of its own (mailroom_bench_rebuild), writes a synthetic but valid log of
// BENCH_EVENTS events straight into mailroom_events (the real event types and shapes of
// @mailroom/contracts: tickets with comments, agents' changes, rule updates with notifications and
// deliveries, users, groups, organizations), then rebuilds each read model and the three in a row,
// and writes bench/results/projection-rebuild.{json,md}.
//
//   npm run bench:rebuild
//
// Settings (environment): BENCH_EVENTS (default 600000), BENCH_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/mailroom_bench_rebuild; dropped and created again),
// BENCH_RESULTS_DIR (default bench/results), BENCH_KEEP_LOG=1 (reuse the log of the previous run),
// BENCH_MODELS=ticket (only the named rebuilds over empty tables, e.g. to profile; no full run).
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GroupEvent, MessageMetadata, OrganizationEvent, TicketEvent, UserEvent, Via } from '@mailroom/contracts';
import { createDataSource, DataSourceDb, ensureDatabase, migrate, type Db } from '@mailroom/database';
import { EventStore, insertRows, rebuildReadModels, type ReadModelRebuild, type RebuildResult } from '@mailroom/event-store';
import { schedulerProjectionRebuild } from '@mailroom/scheduler';
import { peopleReadModelRebuild, ticketReadModelRebuild } from '@mailroom/ticket';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 600_000);
const URL_ = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/mailroom_bench_rebuild';
const RESULTS_DIR = process.env.BENCH_RESULTS_DIR ?? path.join(__dirname, '..', '..', 'bench', 'results');
const say = (line: string): void => void process.stdout.write(`[bench] ${line}\n`);

let seed = 0x5eed;
const rand = (): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];

type Event = TicketEvent | UserEvent | GroupEvent | OrganizationEvent;
interface Row {
  message_id: string;
  kind: 'event';
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: MessageMetadata;
}

/** Writes the synthetic log: each update is one append of a stream's next versions, as the services do. */
class LogWriter {
  private readonly versions = new Map<string, number>();
  private rows: Row[] = [];
  count = 0;
  private clock = Date.UTC(2026, 0, 1);
  constructor(private readonly db: Db) {}

  async update(streamId: string, events: Event[], meta: Partial<MessageMetadata>): Promise<string> {
    const updateId = randomUUID();
    this.clock += 20_000;
    const occurredAt = new Date(this.clock).toISOString();
    let v = this.versions.get(streamId) ?? 0;
    events.forEach((e, i) => {
      this.rows.push({
        message_id: randomUUID(),
        kind: 'event',
        stream_id: streamId,
        stream_version: ++v,
        type: e.type,
        schema_version: 1,
        data: e.data,
        metadata: { ...meta, updateId, updateSize: events.length, updateIndex: i, occurredAt } as MessageMetadata,
      });
    });
    this.versions.set(streamId, v);
    this.count += events.length;
    if (this.rows.length >= 10_000) await this.flush();
    return updateId;
  }

  now(): string {
    return new Date(this.clock).toISOString();
  }

  async flush(): Promise<void> {
    const rows = this.rows;
    this.rows = [];
    if (rows.length) await this.db.transaction((tx) => insertRows(tx, 'mailroom_events.messages', rows, { columns: ['message_id', 'kind', 'stream_id', 'stream_version', 'type', 'schema_version', 'data', 'metadata'] }));
  }

  async finish(): Promise<void> {
    await this.flush();
    const streams = [...this.versions].map(([stream_id, version]) => ({ stream_id, stream_type: stream_id.split('-')[0], version }));
    await this.db.transaction((tx) => insertRows(tx, 'mailroom_events.streams', streams, { columns: ['stream_id', 'stream_type', 'version'] }));
  }
}

const generate = async (db: Db): Promise<void> => {
  const log = new LogWriter(db);
  const system = { actor: { userId: null, role: 'system' as const } };
  const admin = { actor: { userId: 1, role: 'admin' as const }, via: { channel: 'api', source: { from: {}, to: {}, rel: null } } as Via };
  let userId = 0;
  const newUser = async (role: 'end_user' | 'agent' | 'admin', organizationId: number | null) => {
    const id = ++userId;
    await log.update(`user-${id}`, [{ type: 'user.created', data: { userId: id, name: `User ${id}`, email: `user${id}@customer.test`, role, organizationId, createdAt: log.now() } }], system);
    return id;
  };
  await newUser('admin', null);
  const agents: number[] = [];
  for (let i = 0; i < 40; i++) agents.push(await newUser('agent', null));
  const groups: number[] = [];
  for (let g = 1; g <= 10; g++) {
    groups.push(g);
    await log.update(`group-${g}`, [{ type: 'group.created', data: { groupId: g, name: `Group ${g}`, description: '', isDefault: g === 1, createdAt: log.now() } }], admin);
    for (let k = 0; k < 4; k++) {
      const membershipId = g * 100 + k;
      await log.update(`group-${g}`, [{ type: 'group_membership.created', data: { membershipId, groupId: g, userId: agents[(g * 4 + k) % agents.length], isDefault: k === 0, createdAt: log.now() } }], admin);
    }
  }
  const orgs: number[] = [];
  for (let o = 1; o <= 50; o++) {
    orgs.push(o);
    await log.update(
      `organization-${o}`,
      [{ type: 'organization.created', data: { organizationId: o, name: `Org ${o}`, domainNames: [`org${o}.test`], details: '', notes: '', tags: [], sharedTickets: false, sharedComments: false, groupId: null, externalId: null, createdAt: log.now() } }],
      admin,
    );
  }
  const customers: number[] = [];
  let ticketId = 0;
  let commentId = 0;
  while (log.count < EVENTS) {
    if (customers.length < 20 || rand() < 0.3) customers.push(await newUser('end_user', rand() < 0.5 ? pick(orgs) : null));
    const requester = pick(customers);
    const id = ++ticketId;
    const stream = `ticket-${id}`;
    const mailVia: Via = { channel: 'email', source: { from: { address: `user${requester}@customer.test` }, to: { address: 'support@mailroom.test' }, rel: null } };
    const customer = { actor: { userId: requester, role: 'end_user' as const }, via: mailVia };
    const agent = pick(agents);
    const asAgent = { actor: { userId: agent, role: 'agent' as const }, via: admin.via };
    const comment = (authorId: number, body: string, pub: boolean, via: Via): TicketEvent => ({
      type: 'ticket.comment_added',
      data: { ticketId: id, commentId: ++commentId, authorId, body, htmlBody: `<p>${body}</p>`, public: pub, attachments: [], via, mail: null, createdAt: log.now() },
    });
    const created = await log.update(
      stream,
      [
        {
          type: 'ticket.created',
          data: { ticketId: id, subject: `Printer ${id} is on fire`, requesterId: requester, submitterId: requester, recipient: 'support@mailroom.test', status: 'new', priority: null, type: null, groupId: null, assigneeId: null, tags: [], ccIds: [], externalId: null, organizationId: null, via: mailVia, mail: null, createdAt: log.now() },
        },
        comment(requester, 'My printer is on fire, please help. It started this morning after the update.', true, mailVia),
      ],
      customer,
    );
    const rule = { kind: 'trigger' as const, id: '11', title: 'Notify requester of received request' };
    const notificationId = randomUUID();
    await log.update(
      stream,
      [
        { type: 'ticket.trigger_fired', data: { ticketId: id, triggerId: '11', title: rule.title, actions: [{ field: 'notification_user', value: ['requester_id', 'Received', 'We got it'] }] } } as TicketEvent,
        { type: 'ticket.group_changed', data: { ticketId: id, from: null, to: pick(groups), rule } } as TicketEvent,
        { type: 'ticket.tags_changed', data: { ticketId: id, tags: ['printer'], added: ['printer'], removed: [], rule } } as TicketEvent,
        { type: 'ticket.notification_requested', data: { ticketId: id, notificationId, rule, recipientIds: [requester], suppressed: [], subject: `[${id}] Received: Printer ${id}`, body: 'We got your request.' } } as TicketEvent,
      ],
      { ...system, via: { channel: 'rule', source: { from: { id: '11', title: rule.title }, to: {}, rel: 'trigger' } } as Via, causationId: created },
    );
    await log.update(stream, [{ type: 'ticket.notification_delivered', data: { ticketId: id, notificationId, to: [`user${requester}@customer.test`], messageId: `<n-${notificationId}@mailroom.test>`, relayResponse: '250 2.0.0 Ok: queued', deliveredAt: log.now() } } as TicketEvent], system);
    await log.update(
      stream,
      [
        { type: 'ticket.assignee_changed', data: { ticketId: id, from: null, to: agent } },
        { type: 'ticket.status_changed', data: { ticketId: id, from: 'new', to: 'open' } },
        { type: 'ticket.priority_changed', data: { ticketId: id, from: null, to: pick(['low', 'normal', 'high', 'urgent'] as const) } },
        comment(agent, 'Have you tried turning it off and on again?', true, admin.via),
      ],
      asAgent,
    );
    await log.update(stream, [comment(requester, 'It is off now. Still smoking.', true, mailVia)], customer);
    await log.update(stream, [{ type: 'ticket.status_changed', data: { ticketId: id, from: 'open', to: rand() < 0.7 ? 'solved' : 'pending' } }, comment(agent, 'A technician is on the way.', rand() < 0.8, admin.via)], asAgent);
    if (rand() < 0.05) await log.update(`user-${requester}`, [{ type: 'user.updated', data: { userId: requester, name: `Customer ${requester}`, updatedAt: log.now() } }], admin);
  }
  await log.finish();
  say(`log written: ${log.count} events, ${ticketId} tickets, ${userId} users`);
};

const main = async () => {
  const started = new Date();
  const load0 = os.loadavg();
  const ds0 = createDataSource({ url: new URL('/postgres', URL_).toString(), poolSize: 1 });
  await ds0.initialize();
  const dbName = new URL(URL_).pathname.slice(1);
  if (!process.env.BENCH_KEEP_LOG) await ds0.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await ds0.destroy();
  await ensureDatabase(URL_);
  await migrate(URL_);
  const ds = createDataSource({ url: URL_, poolSize: 2, applicationName: 'mailroom-bench-rebuild' });
  await ds.initialize();
  const db = new DataSourceDb(ds);
  const [{ n }] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM mailroom_events.messages`);
  if (Number(n) === 0) {
    const t0 = Date.now();
    await generate(db);
    say(`generated in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  await db.query(`VACUUM ANALYZE mailroom_events.messages`).catch(() => undefined);
  const [{ events }] = await db.query<{ events: string }>(`SELECT count(*) AS events FROM mailroom_events.messages`);
  const store = new EventStore();
  const runs: (RebuildResult & { seconds: number; perSecond: number; cpuSeconds: number; over: 'empty' | 'full' })[] = [];
  const run = async (models: ReadModelRebuild[], over: 'empty' | 'full') => {
    const cpu0 = process.cpuUsage();
    const r = await rebuildReadModels(db, store, models);
    const cpu = process.cpuUsage(cpu0);
    const seconds = (r.readMs + r.writeMs) / 1000;
    const row = { ...r, seconds, perSecond: Math.round(r.events / seconds), cpuSeconds: (cpu.user + cpu.system) / 1e6, over };
    runs.push(row);
    say(`${r.name} (${over} tables): ${r.events} events in ${seconds.toFixed(2)} s = ${row.perSecond}/s (read+fold ${r.readMs} ms, write ${r.writeMs} ms, node CPU ${row.cpuSeconds.toFixed(1)} s) → ${JSON.stringify(r.rows)}`);
  };
  const all = [ticketReadModelRebuild, peopleReadModelRebuild, schedulerProjectionRebuild];
  const only = process.env.BENCH_MODELS?.split(',').filter(Boolean);
  for (const model of all) {
    if (only && !only.includes(model.name)) continue;
    await db.query(`TRUNCATE ${model.tables.join(', ')}`);
    await run([model], 'empty');
  }
  // `npm run rebuild -- all`: one read of the log for the three, over the tables just written
  // (what an operator's rebuild of a live database costs: the old rows are deleted in the same transaction).
  if (!only) await run(all, 'full');
  const load1 = os.loadavg();
  await ds.destroy();

  const result = {
    benchmark: 'projection-rebuild',
    startedAt: started.toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadAtStart: load0.map((x) => +x.toFixed(2)), loadAtEnd: load1.map((x) => +x.toFixed(2)) },
    logEvents: Number(events),
    target: 50_000,
    runs: runs.map((r) => ({ readModel: r.name, over: r.over, events: r.events, seconds: +r.seconds.toFixed(2), eventsPerSecond: r.perSecond, readAndFoldMs: r.readMs, writeMs: r.writeMs, nodeCpuSeconds: +r.cpuSeconds.toFixed(1), rows: r.rows })),
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(path.join(RESULTS_DIR, 'projection-rebuild.json'), JSON.stringify(result, null, 2) + '\n');
  const md = [
    '# Projection rebuild benchmark',
    '',
    `Run ${result.startedAt} on ${result.machine.cpus} × ${result.machine.model}, Node ${result.machine.node}, load ${load0.map((x) => x.toFixed(2)).join(' / ')} at start, ${load1.map((x) => x.toFixed(2)).join(' / ')} at end.`,
    `A synthetic log of ${result.logEvents} events (real event types and shapes); each rebuild reads all of it in pages of 10,000 (only the bodies of the events it folds), folds it in memory and writes with COPY, in one transaction. Target: ≥ 50,000 events/s.`,
    '',
    '| read model | tables before | events | seconds | **events/s** | read + fold | write | Node CPU | rows written |',
    '|---|---|---|---|---|---|---|---|---|',
    ...result.runs.map((r) => `| ${r.readModel} | ${r.over} | ${r.events} | ${r.seconds} | **${r.eventsPerSecond}** | ${r.readAndFoldMs} ms | ${r.writeMs} ms | ${r.nodeCpuSeconds} s | ${Object.entries(r.rows).map(([t, k]) => `${t} ${k}`).join(', ')} |`),
    '',
  ].join('\n');
  writeFileSync(path.join(RESULTS_DIR, 'projection-rebuild.md'), md);
  say(`results in ${RESULTS_DIR}/projection-rebuild.{json,md}`);
};

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
