import { createTestDatabase, type TestDatabase } from '@mailroom/testing';
import { rawMail, workerHarness, type Harness } from '../screening/worker-harness';

/**
 * PostgreSQL holds no NUL in text or JSONB and no lone surrogate in JSONB. Mail may carry both
 * (raw, quoted-printable `=00`, in headers, through a UTF-7 or UTF-16 charset); the worker must
 * still turn every such mail into a ticket command (or a suspension), never fail on it.
 */
describe('mail text PostgreSQL cannot hold', () => {
  let database: TestDatabase;
  let h: Harness;
  beforeAll(async () => {
    database = await createTestDatabase();
    h = workerHarness(database.db);
  });
  afterAll(async () => database?.drop());

  const cases: [string, string][] = [
    ['a raw NUL in the body', rawMail({ body: 'Hello\u0000world' })],
    ['quoted-printable =00 in the body', rawMail({ headers: ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable'], body: 'Hello=00world' })],
    ['a NUL in the subject', rawMail({ subject: 'Printer\u0000on fire' })],
    ['an encoded NUL in the From display name', rawMail({ from: '=?utf-8?Q?Jane=00Customer?= <jane@customer.test>' })],
    ['a lone surrogate in the subject (UTF-16 encoded word)', rawMail({ subject: `=?utf-16be?B?${Buffer.from([0, 0x48, 0xd8, 0x00, 0, 0x69]).toString('base64')}?=` })],
    ['a lone surrogate in the From display name', rawMail({ from: `=?utf-16be?B?${Buffer.from([0xdc, 0x00, 0, 0x4a]).toString('base64')}?= <jane@customer.test>` })],
    ['a NUL in the HTML body, raw and as a character reference', rawMail({ headers: ['Content-Type: text/html; charset=utf-8'], body: '<p>Printer\u0000on&#0;fire&#xD800;</p>' })],
    [
      'a NUL in an attachment file name and its content id',
      [
        'From: Jane Customer <jane@customer.test>',
        'To: support@mailroom.test',
        'Subject: Attached',
        'Message-ID: <att-nul@customer.test>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'See attached.',
        '--b',
        'Content-Type: application/octet-stream; name="=?utf-8?Q?bad=00name.txt?="',
        'Content-Disposition: attachment; filename="=?utf-8?Q?bad=00name.txt?="',
        'Content-ID: <a\u0000b@x>',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('bytes\u0000kept').toString('base64'),
        '--b--',
        '',
      ].join('\n'),
    ],
  ];

  it.each(cases)('%s becomes a ticket, with U+FFFD where the character was', async (_name, raw) => {
    const mailId = await h.receive(raw);
    const routed = await h.routed(mailId);
    expect([routed.outcome, routed.reason]).toEqual(['new_ticket', null]);
    const [command] = await h.commands(mailId);
    const json = JSON.stringify(command.data);
    expect(json).toContain('\uFFFD');
    expect(json).not.toMatch(/\\u0000|\\ud[89a-f][0-9a-f]{2}/i);
  });

  it('keeps the raw mail and attachment bytes as they came', async () => {
    const raw = cases.find(([name]) => name.startsWith('a NUL in an attachment'))![1].replace('att-nul@', 'att-nul-2@');
    const mailId = await h.receive(raw);
    const [stored] = await database.db.query<{ file_name: string; content: Buffer }>(`SELECT file_name, content FROM ingest.attachments WHERE mail_id = $1`, [mailId]);
    expect(stored.file_name).toBe('bad\uFFFDname.txt');
    expect(stored.content).toEqual(Buffer.from('bytes\u0000kept'));
    const [kept] = await database.db.query<{ raw: Buffer }>(`SELECT raw FROM ingest.raw_mail WHERE id = $1`, [mailId]);
    expect(kept.raw.includes(0)).toBe(true); // the Content-ID's NUL, untouched
  });
});
