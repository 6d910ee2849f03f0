import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createTransport } from 'nodemailer';
import { isSuspensionCause } from '@mailroom/mail-domain';
import { corpusDir, corpusMailFiles, describeIfCorpus, eventually } from '@mailroom/testing';
import { startSystem, type System } from '../support/system';

/**
 * Every real-world mail of the shared corpus, sent byte for byte over SMTP: each one ends as a new
 * ticket, a comment, a duplicate, a suspended ticket with a cause or a rejection — none is lost,
 * none crashes or stalls a service — and every new ticket can be read through the API, with its
 * attachments served in Zendesk's shape. The corpus is third-party mail CI keeps beside the
 * checkout (`../shared/corpus`, or MAILROOM_CORPUS_DIR): without it this suite is skipped.
 */

const OUTCOMES = ['new_ticket', 'comment', 'duplicate', 'suspended', 'rejected'];

interface Routed {
  mailId: string;
  outcome: string;
  cause?: string | null;
  reason: string | null;
}

describeIfCorpus('the shared mail corpus through ingest', () => {
  jest.setTimeout(600_000);
  let sys: System;
  // Read when the suite runs: the callback is also run, to collect the tests, when it is skipped.
  let files: string[] = [];
  let corpus = '';

  beforeAll(async () => {
    corpus = corpusDir();
    files = corpusMailFiles(corpus);
    sys = await startSystem({ maxMessageBytes: 4 * 1024 * 1024 });
  });
  afterAll(async () => sys?.close());

  const routed = async (): Promise<Routed[]> =>
    (await sys.database.db.query<{ data: Routed }>(`SELECT data FROM mailroom_events.messages WHERE type = 'mail.routed' ORDER BY global_position`)).map((r) => r.data);

  it('turns every corpus mail into exactly one outcome, and every new ticket is readable with its attachments', async () => {
    expect(files.length).toBeGreaterThan(150);
    const transport = createTransport({ host: '127.0.0.1', port: sys.smtpPort, secure: false, ignoreTLS: true, pool: true, maxConnections: 4, maxMessages: 50 });
    const accepted: string[] = [];
    try {
      for (const file of files) {
        // The bytes as they are: no re-encoding, no added headers.
        const r = await transport.sendMail({ envelope: { from: 'corpus-relay@example.test', to: ['support@mailroom.test'] }, raw: readFileSync(file) });
        expect([path.relative(corpus, file), r.response]).toEqual([path.relative(corpus, file), expect.stringMatching(/^250/)]);
        accepted.push(file);
      }
    } finally {
      transport.close();
    }

    // Count in == count out: one mail.routed per stored mail.
    const stored = Number((await sys.database.db.query<{ n: string }>(`SELECT count(*) AS n FROM ingest.raw_mail`))[0].n);
    expect(stored).toBe(accepted.length);
    const outcomes = await eventually(
      async () => {
        const all = await routed();
        return all.length >= accepted.length ? all : undefined;
      },
      'a mail.routed outcome for every mail',
      300_000,
    );
    expect(outcomes).toHaveLength(accepted.length);
    expect(new Set(outcomes.map((o) => o.mailId)).size).toBe(accepted.length);
    for (const o of outcomes) {
      expect(OUTCOMES).toContain(o.outcome);
      if (o.outcome === 'suspended') {
        expect(isSuspensionCause(o.cause ?? '')).toBe(true);
        expect(o.reason).toBeTruthy();
      }
    }
    const newTickets = outcomes.filter((o) => o.outcome === 'new_ticket').length;
    // Most of the corpus is ordinary mail from people: it must not all end up set aside.
    expect(newTickets).toBeGreaterThan(files.length / 3);

    // Every new_ticket command produced a ticket the API shows (creation key `mail:<mail id>`).
    const fileOf = new Map<string, string>();
    for (const r of await sys.database.db.query<{ id: string; sha256: string }>(`SELECT id, sha256 FROM ingest.raw_mail`)) {
      fileOf.set(r.id, path.relative(corpus, files.find((f) => createHash('sha256').update(readFileSync(f)).digest('hex') === r.sha256) ?? '?'));
    }
    const created = outcomes.filter((o) => o.outcome === 'new_ticket');
    const ticketOf = new Map<string, number>();
    const missing = async () => {
      for (const r of await sys.database.db.query<{ key: string; ticket_id: string }>(`SELECT key, ticket_id FROM ticket.creation_keys WHERE key LIKE 'mail:%'`)) ticketOf.set(r.key.slice(5), Number(r.ticket_id));
      return created.filter((o) => !ticketOf.has(o.mailId)).map((o) => fileOf.get(o.mailId));
    };
    await eventually(async () => ((await missing()).length === 0 ? true : undefined), 'a ticket for every new_ticket outcome', 120_000).catch(async (err) => {
      throw new Error(`${(err as Error).message}: no ticket for ${(await missing()).join(', ')}`);
    });
    const tickets: { id: number }[] = [];
    for (const o of created) {
      const r = await sys.api(`/tickets/${ticketOf.get(o.mailId)}.json`);
      expect([fileOf.get(o.mailId), r.status]).toEqual([fileOf.get(o.mailId), 200]);
      tickets.push(r.body.ticket);
    }
    expect((await sys.api('/tickets.json')).body.count).toBe(newTickets);

    // Attachments: in Zendesk's shape on comments, by id, and as bytes from the content URL.
    let checked = 0;
    for (const t of tickets) {
      if (checked >= 5) break;
      const { body } = await sys.api(`/tickets/${t.id}/comments.json`);
      const att = body.comments.flatMap((c: { attachments: unknown[] }) => c.attachments)[0] as Record<string, any> | undefined;
      if (!att) continue;
      expect(att).toMatchObject({ id: expect.any(String), file_name: expect.any(String), content_url: expect.stringContaining('/attachments/token/'), content_type: expect.any(String), size: expect.any(Number), inline: expect.any(Boolean) });
      const shown = await sys.api(`/attachments/${att.id}.json`);
      expect(shown.status).toBe(200);
      expect(shown.body.attachment).toEqual(att);
      const served = await fetch(`${sys.apiBase.replace(/\/api\/v2$/, '')}${new URL(att.content_url).pathname}${new URL(att.content_url).search}`);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-disposition')).toMatch(/^attachment;/);
      expect(served.headers.get('x-content-type-options')).toBe('nosniff');
      expect(Buffer.from(await served.arrayBuffer()).length).toBe(att.size);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);

    // Nothing stalled: an ordinary mail afterwards still becomes a ticket.
    const before = tickets.length;
    await createTransport({ host: '127.0.0.1', port: sys.smtpPort, secure: false, ignoreTLS: true }).sendMail({
      from: 'Jane <jane@after-corpus.test>',
      to: 'support@mailroom.test',
      subject: 'Still there?',
      text: 'Just checking.',
      messageId: '<after-corpus@after-corpus.test>',
    });
    await eventually(async () => ((await sys.api('/tickets.json')).body.count === before + 1 ? true : undefined), 'the ticket of a mail sent after the corpus', 60_000);
  });

  it('serves no attachment for an unknown or malformed token', async () => {
    const base = sys.apiBase.replace(/\/api\/v2$/, '');
    expect((await fetch(`${base}/attachments/token/00000000-0000-4000-8000-000000000000/?name=x`)).status).toBe(404);
    expect((await fetch(`${base}/attachments/token/not-a-token/`)).status).toBe(404);
    expect((await sys.api('/attachments/00000000-0000-4000-8000-000000000000.json')).status).toBe(404);
    expect((await sys.api('/attachments/00000000-0000-4000-8000-000000000000.json', { auth: null })).status).toBe(401);
  });
});
