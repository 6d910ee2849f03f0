// Benchmark: ticket updates per second through the trigger cycle (pure, in memory) with 1,000
// active triggers of realistic shapes: the compiled engine the rules service runs
// (`compileRuleSet` once, `evaluateCompiled` per update), the service path (that, plus the compact
// explanation record the rules service stores per update, serialised), the former service path's
// figure (the per-condition explanation read, as the service stored it until the record), and the
// reference engine (`evaluateTriggers`) in the same run. Bounded: ~1 s warm-up and BENCH_SECONDS (default 8) of measurement per engine,
// then it writes bench/results/triggers-cycle.{json,md} and exits. See bench/README.md.
//
//   npx tsc -p tsconfig.build.json && node -r ./scripts/runtime-paths.js dist/bench/triggers-cycle.js
//
// Settings (environment): BENCH_TRIGGERS (default 1000), BENCH_SECONDS (default 8, max 30),
// BENCH_RESULTS_DIR (default bench/results), BENCH_PROFILE (compiled | service | compiled+explanation | reference:
// run only that engine and write no results, for `node --cpu-prof`).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Via } from '@mailroom/contracts';
import { isDeepStrictEqual } from 'node:util';
import {
  compileRuleSet,
  evaluateCompiled,
  evaluateTriggers,
  explainRecord,
  explanationRecordOf,
  standardTriggers,
  weeklyInterval,
  type Condition,
  type Directory,
  type Person,
  type RuleTicket,
  type RuleUpdate,
  type Schedule,
  type Trigger,
  type TriggerEvaluation,
} from '@mailroom/rules-domain';

const int = (name: string, fallback: number, min: number, max: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number in ${min}..${max}, got "${raw}"`);
  return n;
};

const TRIGGERS = int('BENCH_TRIGGERS', 1000, 10, 20000);
const SECONDS = int('BENCH_SECONDS', 8, 1, 30);
const RESULTS_DIR = process.env.BENCH_RESULTS_DIR ?? path.join(__dirname, '..', '..', 'bench', 'results');
const say = (line: string): void => void process.stdout.write(`[bench] ${line}\n`);

// A deterministic PRNG, so every run evaluates the same rule set and the same updates.
let seed = 0x2f6b1d;
const rand = (): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];

// ---- the help desk --------------------------------------------------------------------------------

const GROUPS = 20;
const AGENTS = 60;
const CUSTOMERS = 500;
const ORGS = 100;
const ADDRESSES = Array.from({ length: 25 }, (_, i) => `team${i}@support.test`);
const WORDS = ['refund', 'invoice', 'password', 'crash', 'outage', 'cancel', 'upgrade', 'billing', 'login', 'shipping', 'broken', 'urgent', 'quote', 'contract', 'api'];
const TAGS = ['vip', 'trial', 'enterprise', 'partner', 'churn-risk', 'beta', 'escalated', 'legal', 'press', 'reseller'];

const people = new Map<number, Person>();
for (let i = 0; i < AGENTS; i++) {
  const id = 1000 + i;
  people.set(id, { id, name: `Agent ${i}`, email: `agent${i}@support.test`, role: i < 5 ? 'admin' : 'agent', groupIds: [1 + (i % GROUPS)] });
}
for (let i = 0; i < CUSTOMERS; i++) {
  const id = 10_000 + i;
  people.set(id, { id, name: `Customer ${i}`, email: i % 50 === 0 ? null : `c${i}@customer.test`, role: 'end_user', locale: i % 7 === 0 ? 'fr-FR' : 'en-US' });
}
const agents = [...people.values()].filter((p) => p.role !== 'end_user');
const members = new Map<number, Person[]>();
for (let g = 1; g <= GROUPS; g++) members.set(g, agents.filter((a) => a.groupIds?.includes(g)));
const directory: Directory = { person: (id) => people.get(id), agents: () => agents, groupMembers: (g) => members.get(g) };

const schedules: Schedule[] = [
  { id: 1, time_zone: 'Europe/Paris', intervals: [1, 2, 3, 4, 5].map((d) => weeklyInterval(d, '09:00', '18:00')), holidays: [{ start_date: '2026-12-25', end_date: '2026-12-26' }] },
  { id: 2, time_zone: 'America/New_York', intervals: [1, 2, 3, 4, 5].map((d) => weeklyInterval(d, '08:00', '20:00')), holidays: [] },
];

// ---- the rules: standard triggers + routing, tagging, escalation, SLA-ish and notification rules ----

const c = (field: string, operator: string, value?: unknown): Condition => (value === undefined ? { field, operator } : { field, operator, value });
const created = c('update_type', 'is', 'Create');
const changed = c('update_type', 'is', 'Change');

const generators: ((i: number) => Pick<Trigger, 'conditions' | 'actions'>)[] = [
  // Route by support address.
  (i) => ({ conditions: { all: [created, c('recipient', 'is', ADDRESSES[i % ADDRESSES.length])], any: [] }, actions: [{ field: 'group_id', value: String(1 + (i % GROUPS)) }] }),
  // Route by organization.
  (i) => ({ conditions: { all: [created, c('organization_id', 'is', String(1 + (i % ORGS)))], any: [] }, actions: [{ field: 'group_id', value: 1 + (i % GROUPS) }, { field: 'current_tags', value: `org-${i % ORGS}` }] }),
  // Keyword tagging with a nullifier.
  (i) => ({ conditions: { all: [c('comment_includes_word', 'includes', `${pick(WORDS)} "${pick(WORDS)} ${pick(WORDS)}"`), c('current_tags', 'not_includes', `kw-${i}`)], any: [] }, actions: [{ field: 'current_tags', value: `kw-${i}` }] }),
  // Subject keywords raise priority.
  () => ({ conditions: { all: [created, c('subject_includes_word', 'includes', `${pick(WORDS)} ${pick(WORDS)}`), c('priority', 'less_than', 'high')], any: [] }, actions: [{ field: 'priority', value: 'high' }] }),
  // VIP escalation.
  (i) => ({ conditions: { all: [c('current_tags', 'includes', pick(TAGS)), c('priority', 'is_not', 'urgent'), c('status', 'less_than', 'solved')], any: [c('via_id', 'is', 4), c('current_via_id', 'is', 5)] }, actions: [{ field: 'priority', value: 'urgent' }, { field: 'notification_group', value: [String(1 + (i % GROUPS)), 'Urgent: {{ticket.title}}', '{{ticket.latest_comment_html}}'] }] }),
  // After-hours auto-reply.
  (i) => ({ conditions: { all: [created, c('in_business_hours', 'is', 'false'), c('recipient', 'is', ADDRESSES[i % ADDRESSES.length])], any: [] }, actions: [{ field: 'notification_user', value: ['requester_id', 'We are closed', 'We will answer on the next business day.'] }] }),
  // Custom field routing.
  (i) => ({ conditions: { all: [c(`custom_fields_${360000 + (i % 8)}`, 'is', pick(['hardware', 'software', 'billing', 'other'])), c('group_id', 'is', '')], any: [] }, actions: [{ field: 'group_id', value: 1 + (i % GROUPS) }] }),
  // Reopen alerts and satisfaction follow-ups.
  (i) => ({ conditions: { all: [changed, c('status', 'value_previous', 'solved'), c('reopens', 'greater_than', 1 + (i % 3))], any: [] }, actions: [{ field: 'current_tags', value: 'reopened-often' }, { field: 'notification_webhook', value: [`wh-${i % 5}`, '{"ticket": {{ticket.id}}}'] }] }),
  () => ({ conditions: { all: [c('satisfaction_score', 'value', pick(['bad', 'bad_with_comment'])), c('assignee_id', 'is_not', '')], any: [] }, actions: [{ field: 'notification_user', value: ['assignee_id', 'Bad rating', '{{satisfaction.current_comment}}'] }] }),
  // Status changes by agents on some groups.
  (i) => ({ conditions: { all: [changed, c('status', 'changed'), c('group_id', 'is', String(1 + (i % GROUPS))), c('role', 'is', 'agent')], any: [c('priority', 'is', 'urgent'), c('current_tags', 'includes', pick(TAGS))] }, actions: [{ field: 'notification_group', value: ['group_id', 'Status: {{ticket.status}}', '{{ticket.latest_comment_html}}'] }] }),
  // Language routing.
  (i) => ({ conditions: { all: [created, c('locale_id', 'is', pick(['fr', 'de', 'es', 'ja'])), c('current_tags', 'not_includes', `lang-${i}`)], any: [] }, actions: [{ field: 'current_tags', value: `lang-${i}` }] }),
];

const triggers: Trigger[] = standardTriggers();
for (let i = triggers.length; i < TRIGGERS + 1; i++) {
  const shape = generators[i % generators.length](i);
  triggers.push({ id: `bench-${i}`, title: `Bench rule ${i}`, active: true, position: 100 + i, category_id: i % 3 === 0 ? 'routing' : i % 3 === 1 ? 'tagging' : 'notify', ...shape });
}
const active = triggers.filter((t) => t.active).length;

// ---- the updates ------------------------------------------------------------------------------------

const viaOf = (channel: Via['channel']): Via => ({ channel, source: { from: {}, to: {}, rel: null } });
const SENTENCES = [
  'Since this morning the invoices we download are empty and accounting closes on Friday.',
  'I cannot login after the password reset, the page just reloads.',
  'Please cancel the upgrade we ordered last week, we will stay on the current plan.',
  'The API returns a 500 error when we create more than ten orders at once.',
  'Thanks, that fixed it. You can close this request.',
  'Our shipping labels are broken again, same as last month.',
];

const ticketOf = (id: number): RuleTicket => ({
  id,
  status: pick(['new', 'open', 'open', 'pending', 'solved']),
  priority: pick([null, 'low', 'normal', 'normal', 'high']),
  type: pick([null, 'question', 'incident']),
  groupId: rand() < 0.5 ? 1 + Math.floor(rand() * GROUPS) : null,
  assigneeId: rand() < 0.5 ? pick(agents).id : null,
  requesterId: 10_000 + Math.floor(rand() * CUSTOMERS),
  organizationId: rand() < 0.6 ? 1 + Math.floor(rand() * ORGS) : null,
  tags: TAGS.filter(() => rand() < 0.15),
  ccIds: rand() < 0.3 ? [10_000 + Math.floor(rand() * CUSTOMERS)] : [],
  recipient: pick(ADDRESSES),
  subject: `${pick(WORDS)} problem with ${pick(WORDS)}`,
  hasPublicComments: true,
  via: pick(['email', 'email', 'web', 'api'] as const),
  reopens: Math.floor(rand() * 4),
  replies: Math.floor(rand() * 5),
  satisfactionScore: pick(['unoffered', 'offered', 'good'] as const),
  customFields: { '360001': pick(['hardware', 'software', 'billing', 'other', null]) },
  scheduleId: pick([null, 1, 2]),
});

const makeUpdate = (n: number): RuleUpdate => {
  const t = ticketOf(n + 1);
  const at = new Date(Date.UTC(2026, 10, 23) + Math.floor(rand() * 7 * 86_400_000)).toISOString();
  const kind = n % 6;
  const agentId = pick(agents).id;
  if (kind === 0) {
    const after = { ...t, status: 'new' as const, assigneeId: null, groupId: null, hasPublicComments: true, reopens: 0, replies: 0 };
    return { updateId: `u${n}`, isCreate: true, actor: { userId: t.requesterId, role: 'end_user' }, via: viaOf('email'), comment: { authorId: t.requesterId, public: true, body: pick(SENTENCES) }, mail: { mailId: `m${n}`, messageId: `<m${n}@c.test>`, recipients: [t.recipient!], supportAddress: t.recipient! }, before: null, after, occurredAt: at };
  }
  if (kind === 1) {
    return { updateId: `u${n}`, isCreate: false, actor: { userId: t.requesterId, role: 'end_user' }, via: viaOf('email'), comment: { authorId: t.requesterId, public: true, body: pick(SENTENCES) }, mail: { mailId: `m${n}`, messageId: `<m${n}@c.test>`, recipients: [t.recipient!], supportAddress: t.recipient! }, before: t, after: { ...t, status: t.status === 'new' ? 'new' : 'open' }, occurredAt: at };
  }
  if (kind === 2) {
    return { updateId: `u${n}`, isCreate: false, actor: { userId: agentId, role: 'agent' }, via: viaOf('web'), comment: { authorId: agentId, public: true, body: pick(SENTENCES) }, mail: null, before: t, after: { ...t, status: 'pending', assigneeId: t.assigneeId ?? agentId }, occurredAt: at };
  }
  if (kind === 3) {
    return { updateId: `u${n}`, isCreate: false, actor: { userId: agentId, role: 'agent' }, via: viaOf('web'), comment: { authorId: agentId, public: false, body: 'Internal: checking logs.' }, mail: null, before: t, after: t, occurredAt: at };
  }
  if (kind === 4) {
    return { updateId: `u${n}`, isCreate: false, actor: { userId: agentId, role: 'agent' }, via: viaOf('api'), comment: null, mail: null, before: t, after: { ...t, groupId: 1 + (n % GROUPS), assigneeId: pick(agents).id }, occurredAt: at };
  }
  return { updateId: `u${n}`, isCreate: false, actor: { userId: agentId, role: 'agent' }, via: viaOf('web'), comment: { authorId: agentId, public: true, body: 'Fixed, closing.' }, mail: null, before: t, after: { ...t, status: 'solved', assigneeId: t.assigneeId ?? agentId }, occurredAt: at };
};

const UPDATES = Array.from({ length: 600 }, (_, n) => makeUpdate(n));
const categoryOrder = ['routing', 'tagging', 'notify'];

// ---- run ----------------------------------------------------------------------------------------

type Engine = 'compiled' | 'service' | 'compiled+explanation' | 'reference';
const ENGINES: readonly Engine[] = ['compiled', 'service', 'compiled+explanation', 'reference'];

const compileStart = process.hrtime.bigint();
const compiled = compileRuleSet(triggers, categoryOrder);
const compileMs = Number(process.hrtime.bigint() - compileStart) / 1e6;

const evaluate = (engine: Engine, update: RuleUpdate): TriggerEvaluation => {
  switch (engine) {
    case 'compiled':
      return evaluateCompiled(update, compiled, directory, { schedules });
    case 'service': {
      // What the rules service does per update: the cycle, the compact record, its JSON.
      const r = evaluateCompiled(update, compiled, directory, { schedules });
      void JSON.stringify(explanationRecordOf(r)).length;
      return r;
    }
    case 'compiled+explanation': {
      const r = evaluateCompiled(update, compiled, directory, { schedules });
      void r.explanation.length; // made on first read
      return r;
    }
    case 'reference':
      return evaluateTriggers(update, triggers, directory, { categoryOrder, schedules });
  }
  const exhaustive: never = engine;
  return exhaustive;
};

const run = (engine: Engine, ms: number, record: boolean) => {
  const latencies: number[] = [];
  let count = 0;
  let fired = 0;
  let passes = 0;
  let notifications = 0;
  let capped = 0;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const end = start + BigInt(ms) * 1_000_000n;
  for (;;) {
    const update = UPDATES[count % UPDATES.length];
    const t0 = process.hrtime.bigint();
    const r = evaluate(engine, update);
    const t1 = process.hrtime.bigint();
    count += 1;
    if (record) {
      latencies.push(Number(t1 - t0) / 1e6);
      fired += r.fired.length;
      passes += r.passes;
      notifications += r.fired.reduce((n, f) => n + f.notifications.length, 0);
      if (r.capped) capped += 1;
    }
    if (t1 >= end) {
      const cpu = process.cpuUsage(cpuStart);
      return { count, elapsedMs: Number(t1 - start) / 1e6, cpuMs: (cpu.user + cpu.system) / 1000, latencies, fired, passes, notifications, capped };
    }
  }
};

/**
 * The engines must agree on every update measured, or the comparison means nothing; and the
 * explanation made from the stored record (JSON, against a set compiled again) must be the one the
 * cycle gives at once. Returns the mean sizes of what the service stores per update, then and now.
 */
const checkSameResults = (): { recordBytes: number; explanationBytes: number } => {
  const read = (r: TriggerEvaluation) => ({ fired: r.fired, changes: r.changes, ticket: r.ticket, explanation: r.explanation, passes: r.passes, capped: r.capped, systemRules: r.systemRules, webhooks: r.webhooks });
  const recompiled = compileRuleSet(JSON.parse(JSON.stringify(triggers)) as Trigger[], categoryOrder);
  let recordBytes = 0;
  let explanationBytes = 0;
  UPDATES.forEach((u, n) => {
    const r = evaluate('compiled', u);
    const record = JSON.stringify(explanationRecordOf(r));
    const explanation = JSON.stringify(r.explanation);
    if (!isDeepStrictEqual(read(r), read(evaluate('reference', u)))) throw new Error(`the engines disagree on update ${n}`);
    if (JSON.stringify(explainRecord(recompiled, JSON.parse(record))) !== explanation) throw new Error(`the explanation made from the record differs on update ${n}`);
    recordBytes += Buffer.byteLength(record);
    explanationBytes += Buffer.byteLength(explanation);
  });
  return { recordBytes: Math.round(recordBytes / UPDATES.length), explanationBytes: Math.round(explanationBytes / UPDATES.length) };
};

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;
const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

const summary = (r: ReturnType<typeof run>) => {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  return {
    measuredSeconds: round(r.elapsedMs / 1000, 2),
    updates: r.count,
    updatesPerSec: round(r.count / (r.elapsedMs / 1000), 1),
    // The process's own CPU time (all its threads, GC included): what one core does when the
    // machine is shared, as the development machine and CI are.
    updatesPerCpuSec: round(r.count / (r.cpuMs / 1000), 1),
    latencyMs: { p50: round(quantile(sorted, 0.5), 3), p95: round(quantile(sorted, 0.95), 3), p99: round(quantile(sorted, 0.99), 3), max: round(sorted[sorted.length - 1], 3) },
    perUpdate: { firedTriggers: round(r.fired / r.count), passes: round(r.passes / r.count), notifications: round(r.notifications / r.count) },
    cappedUpdates: r.capped,
  };
};

const measure = (engine: Engine) => {
  say(`${engine}: warm-up 1 s, then ${SECONDS} s`);
  run(engine, 1000, false);
  const s = summary(run(engine, SECONDS * 1000, true));
  say(`${engine}: ${s.updatesPerSec} updates/s (${s.updatesPerCpuSec} per CPU second); p50 ${s.latencyMs.p50} ms, p99 ${s.latencyMs.p99} ms`);
  return s;
};

const main = (): void => {
  const only = process.env.BENCH_PROFILE as Engine | undefined;
  if (only) {
    if (!ENGINES.includes(only)) throw new Error(`BENCH_PROFILE must be one of ${ENGINES.join(', ')}, got "${only}"`);
    measure(only);
    return;
  }
  const loadAverageAtStart = os.loadavg().map((x) => round(x));
  say(`${active} active triggers, ${UPDATES.length} distinct updates; compiled in ${round(compileMs)} ms`);
  const stored = checkSameResults();
  say(`the compiled and reference engines agree on every update; the explanation made from the record is the eager one (record ${stored.recordBytes} bytes, explanation ${stored.explanationBytes} bytes per update)`);
  const compiledRun = measure('compiled');
  const service = measure('service');
  const withExplanation = measure('compiled+explanation');
  const reference = measure('reference');
  const result = {
    benchmark: 'triggers-cycle',
    at: new Date().toISOString(),
    engine: 'compiled (compileRuleSet once, evaluateCompiled per update)',
    activeTriggers: active,
    distinctUpdates: UPDATES.length,
    compileMs: round(compileMs),
    ...compiledRun,
    service: { updatesPerSec: service.updatesPerSec, updatesPerCpuSec: service.updatesPerCpuSec, latencyMs: service.latencyMs },
    storedBytesPerUpdate: { record: stored.recordBytes, explanation: stored.explanationBytes },
    withExplanation: { updatesPerSec: withExplanation.updatesPerSec, updatesPerCpuSec: withExplanation.updatesPerCpuSec, latencyMs: withExplanation.latencyMs },
    reference: { updatesPerSec: reference.updatesPerSec, updatesPerCpuSec: reference.updatesPerCpuSec, latencyMs: reference.latencyMs },
    speedup: round(compiledRun.updatesPerSec / reference.updatesPerSec, 1),
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version, loadAverageAtStart, loadAverageAtEnd: os.loadavg().map((x) => round(x)) },
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(path.join(RESULTS_DIR, 'triggers-cycle.json'), `${JSON.stringify(result, null, 2)}\n`);
  const lat = (l: typeof result.latencyMs) => `${l.p50} / ${l.p95} / ${l.p99} / ${l.max} ms`;
  const md = [
    '# Trigger cycle benchmark',
    '',
    `Run ${result.at} on ${result.machine.cores} × ${result.machine.cpu}, Node ${result.machine.node}, load ${result.machine.loadAverageAtStart.join(' / ')} at start, ${result.machine.loadAverageAtEnd.join(' / ')} at end.`,
    '',
    '| engine | updates per second (wall clock) | updates per CPU second |',
    '|---|---|---|',
    `| compiled (\`evaluateCompiled\`, the cycle alone) | ${result.updatesPerSec} | ${result.updatesPerCpuSec} |`,
    `| **service path**: compiled + the compact explanation record, serialised (what the rules service stores) | **${result.service.updatesPerSec}** | **${result.service.updatesPerCpuSec}** |`,
    `| former service path: compiled, per-condition explanation read (stored until the record) | ${result.withExplanation.updatesPerSec} | ${result.withExplanation.updatesPerCpuSec} |`,
    `| reference (\`evaluateTriggers\`, same run) | ${result.reference.updatesPerSec} | ${result.reference.updatesPerCpuSec} |`,
    '',
    '| measure | value |',
    '|---|---|',
    `| active triggers | ${result.activeTriggers} (compiled once in ${result.compileMs} ms) |`,
    `| updates evaluated (compiled engine) | ${result.updates} in ${result.measuredSeconds} s |`,
    `| speed-up (compiled ÷ reference, wall clock) | ${result.speedup}× |`,
    `| latency per update p50 / p95 / p99 / max, compiled | ${lat(result.latencyMs)} |`,
    `| latency, service path | ${lat(result.service.latencyMs)} |`,
    `| latency, compiled + explanation | ${lat(result.withExplanation.latencyMs)} |`,
    `| latency, reference | ${lat(result.reference.latencyMs)} |`,
    `| stored per update (mean JSON bytes): record / former explanation | ${result.storedBytesPerUpdate.record} / ${result.storedBytesPerUpdate.explanation} |`,
    `| triggers fired per update (mean) | ${result.perUpdate.firedTriggers} |`,
    `| passes over the list per update (mean) | ${result.perUpdate.passes} |`,
    `| notifications per update (mean) | ${result.perUpdate.notifications} |`,
    `| updates stopped at the pass cap | ${result.cappedUpdates} |`,
    '',
  ].join('\n');
  writeFileSync(path.join(RESULTS_DIR, 'triggers-cycle.md'), md);
  say(`compiled ${result.updatesPerSec} updates/s, service path ${result.service.updatesPerSec} (${result.service.updatesPerCpuSec} per CPU second; ${result.withExplanation.updatesPerCpuSec} with the explanation), reference ${result.reference.updatesPerSec} updates/s: ${result.speedup}×`);
  say(`results in ${RESULTS_DIR}/triggers-cycle.{json,md}`);
};

main();
