import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

// docs/asyncapi.yaml is what internal teams read to subscribe; these checks keep it in step with
// the message types the code actually declares (libs/contracts/src).
const root = path.join(__dirname, '..', '..');
const contractsDir = path.join(root, 'libs', 'contracts', 'src');

/** Every `type: '…'` declared in a `export type XxxEvent(s)/XxxMessage = …` union, split into events and commands. */
const declaredTypes = (): { events: Set<string>; commands: Set<string> } => {
  const events = new Set<string>();
  const commands = new Set<string>();
  for (const file of readdirSync(contractsDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))) {
    const src = readFileSync(path.join(contractsDir, file), 'utf8');
    const unions = src.matchAll(/export type (\w+) =([\s\S]*?);\s*$/gm);
    for (const [, name, body] of unions) {
      const target = /Command(Message)?s?$/.test(name) ? commands : events;
      for (const [, type] of body.matchAll(/type: '([a-z_.]+)'/g)) target.add(type);
    }
  }
  return { events, commands };
};

interface AsyncApiDoc {
  asyncapi: string;
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
  operations: Record<string, { action: string; channel: { $ref: string } }>;
  components: { messages: Record<string, { name: string; title: string; payload: { $ref: string } }>; schemas: Record<string, unknown> };
}

const doc = parse(readFileSync(path.join(root, 'docs', 'asyncapi.yaml'), 'utf8')) as AsyncApiDoc;

const resolve = (ref: string): unknown => {
  expect(ref.startsWith('#/')).toBe(true);
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
};

describe('docs/asyncapi.yaml', () => {
  const { events, commands } = declaredTypes();

  it('is an AsyncAPI 3 document for the events exchange', () => {
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.channels.events.address).toBe('{namespace}.events');
    expect(doc.operations.receiveEvents.action).toBe('receive');
    expect(resolve(doc.operations.receiveEvents.channel.$ref)).toBe(doc.channels.events);
  });

  it('finds the declared types it checks against', () => {
    expect(events.size).toBeGreaterThan(30);
    expect(events.has('ticket.created')).toBe(true);
    expect(commands.has('ticket.create_ticket')).toBe(true);
    expect(events.has('ticket.create_ticket')).toBe(false);
  });

  it('lists every event type the contracts declare, with its routing key, and nothing else', () => {
    const documented = Object.values(doc.components.messages).map((m) => m.name);
    expect([...documented].sort()).toEqual([...events].sort());
    for (const m of Object.values(doc.components.messages)) expect(m.title).toBe(`${m.name}.v1`);
  });

  it('resolves every reference', () => {
    for (const ref of Object.values(doc.channels.events.messages)) expect(resolve(ref.$ref)).toBeDefined();
    for (const m of Object.values(doc.components.messages)) expect(resolve(m.payload.$ref)).toBeDefined();
  });

  it('every message type the services write is declared in the contracts (so none escapes the document)', () => {
    const libs = path.join(root, 'libs');
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? (e.name === 'node_modules' ? [] : sources(path.join(dir, e.name))) : e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [path.join(dir, e.name)] : [],
      );
    const undeclared = new Set<string>();
    for (const file of sources(libs)) {
      for (const [, type] of readFileSync(file, 'utf8').matchAll(/type: '([a-z_]+\.[a-z_]+)'/g)) {
        if (!events.has(type) && !commands.has(type)) undeclared.add(`${path.relative(root, file)}: ${type}`);
      }
    }
    expect([...undeclared]).toEqual([]);
  });

  it('does not offer the internal commands to subscribers', () => {
    const documented = new Set(Object.values(doc.components.messages).map((m) => m.name));
    for (const c of commands) expect(documented.has(c)).toBe(false);
  });
});
