import { ticketStreamId } from '@mailroom/contracts';
import { bodyReferenceCandidates, encodeTicketId } from '@mailroom/mail-domain';
import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { HARNESS_SECRET, rawMail, workerHarness, type Harness } from '../screening/worker-harness';
import { BODY_REFERENCE_LIMITS, checkBodyReferences } from './body-reference-guard';

const secret = HARNESS_SECRET;
const real = (ticketId: number) => `[${encodeTicketId(ticketId, secret)}]`;
/** `count` wrong references naming `ticketId` (made under other secrets). */
const guesses = (ticketId: number, count: number, seed = 'g') =>
  Array.from({ length: count }, (_, i) => `[${encodeTicketId(ticketId, `${seed}-${i}`)}]`).filter((g) => g !== real(ticketId));

/**
 * The `[XXXXXX-XXXX]` reference has a 20-bit MAC: a mail offers three candidates at most, and a
 * sender or a ticket that failed five checks today gets no body reference honoured until tomorrow.
 * Real PostgreSQL, the real worker.
 */
describe('body references that cannot be brute-forced', () => {
  let database: TestDatabase;
  let h: Harness;
  const day1 = new Date('2026-11-25T09:00:00Z');
  const check = (text: string, sender: string, at = day1) =>
    database.db.transaction((tx) => checkBodyReferences(tx, { candidates: bodyReferenceCandidates([text]), sender, secret, at }));
  const failures = async (scope: string, subject: string) =>
    (await database.db.query<{ failures: number }>(`SELECT failures FROM ingest.body_reference_failures WHERE scope = $1 AND subject = $2 AND day = '2026-11-25'`, [scope, subject]))[0]?.failures ?? 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    h = workerHarness(database.db);
    // Tickets 5 and 6 exist in the log (the read model is not needed to thread).
    await database.db.transaction(async (tx) => {
      for (const id of [5, 6]) await h.deps.store.append(tx, ticketStreamId(id), 'ticket', 'any', [{ type: 'ticket.created', data: { ticketId: id } }]);
    });
  });
  afterAll(async () => database?.drop());

  it('a genuine reply with its reference still threads', async () => {
    const mailId = await h.receive(rawMail({ from: 'jane@customer.test', subject: 'Re: Printer', body: `Thanks, it works.\n\n> ----\n> ${real(5)}` }));
    expect(await h.routed(mailId)).toMatchObject({ outcome: 'comment', ticketId: 5, matchedBy: 'body_token' });
  });

  it('a mail holding thousands of candidates, the right one among them, does not thread', async () => {
    const body = [...guesses(5, 4000, 'flood'), real(5)].join('\n');
    const mailId = await h.receive(rawMail({ from: 'mallory@evil.test', subject: 'hello', body }));
    const routed = await h.routed(mailId);
    expect(routed).toMatchObject({ outcome: 'new_ticket', matchedBy: null });
    expect(routed.reason).toMatch(/3 body references did not verify/);
    expect(await failures('sender', 'mallory@evil.test')).toBe(3);
  });

  it('stops a sender who keeps guessing across mails, the right reference included, and only that sender', async () => {
    const sender = 'guesser@evil.test';
    for (const g of guesses(6, BODY_REFERENCE_LIMITS.perSenderPerDay, 'one-by-one')) expect(await check(`Re: ${g}`, sender)).toMatchObject({ kind: 'refused' });
    const after = await check(real(5), sender);
    expect(after).toEqual({ kind: 'refused', note: 'body references from guesser@evil.test are not honoured today (5 failed checks)' });
    expect(await check(real(5), 'someone@else.test')).toEqual({ kind: 'verified', ticketId: 5 });
    // Tomorrow the sender starts afresh.
    expect(await check(real(5), sender, new Date('2026-11-26T00:00:01Z'))).toEqual({ kind: 'verified', ticketId: 5 });
  });

  it('stops guesses at one ticket from many senders at exactly the daily limit, also when they arrive at once', async () => {
    await Promise.all(Array.from({ length: 12 }, (_, i) => check(guesses(7, 3, `crowd-${i}`).join(' '), `sender-${i}@botnet.test`)));
    expect(await failures('ticket', '7')).toBe(BODY_REFERENCE_LIMITS.perTicketPerDay);
    expect(await check(real(7), 'jane@customer.test')).toEqual({ kind: 'refused', note: 'body references to ticket 7 are not honoured today (5 failed checks)' });
  });

  it('counts the guesses of a mail that also carries a real reference', async () => {
    const [g1, g2] = guesses(8, 2, 'mixed');
    expect(await check(`${g1} ${g2} ${real(5)}`, 'sly@evil.test')).toEqual({ kind: 'verified', ticketId: 5 });
    expect([await failures('sender', 'sly@evil.test'), await failures('ticket', '8')]).toEqual([2, 2]);
  });
});
