import { createHash } from 'node:crypto';
import { dedupeKey, normaliseMessageId } from './dedupe';

const RAW = 'ab'.repeat(32);

const mail = (over: Partial<Parameters<typeof dedupeKey>[0]> = {}): Parameters<typeof dedupeKey>[0] => ({
  messageId: null,
  from: { address: 'jane@example.com', name: 'Jane' },
  date: 'Tue, 20 Apr 2020 04:20:20 -0400',
  subject: 'Printer broken',
  text: 'It prints nothing.\n',
  ...over,
});

describe('normaliseMessageId', () => {
  it.each<[string | null, string | null]>([
    ['<CAF=abc@Mail.Gmail.COM>', '<CAF=abc@mail.gmail.com>'],
    ['  <AbC.123@Example.COM>  ', '<AbC.123@example.com>'],
    ['AbC.123@Example.COM', '<AbC.123@example.com>'],
    ['<first@x.test> <second@x.test>', '<first@x.test>'],
    ['(comment) <id@X.test>', '<id@x.test>'],
    ['<test-in-reply-to>', '<test-in-reply-to>'],
    ['<1234   @   local(blah)  .machine .Example>', '<1234@local.machine.example>'],
    ['<"quoted@local"@Host.test>', '<"quoted@local"@host.test>'],
    ['<>', null],
    ['   ', null],
    ['', null],
    [null, null],
  ])('%p → %p', (input, expected) => {
    expect(normaliseMessageId(input)).toBe(expected);
  });
});

describe('dedupeKey', () => {
  it('is the normalised Message-ID when there is one', () => {
    expect(dedupeKey(mail({ messageId: ' <Local.PART@Example.COM> ' }), RAW)).toBe('<Local.PART@example.com>');
  });

  it('gives the same key to spellings of one Message-ID and different keys to different local parts', () => {
    expect(dedupeKey(mail({ messageId: 'x@A.test' }), RAW)).toBe(dedupeKey(mail({ messageId: '<x@a.test>' }), 'cd'.repeat(32)));
    expect(dedupeKey(mail({ messageId: '<X@a.test>' }), RAW)).not.toBe(dedupeKey(mail({ messageId: '<x@a.test>' }), RAW));
  });

  it('hashes a Message-ID too long to index', () => {
    const key = dedupeKey(mail({ messageId: `<${'a'.repeat(2000)}@x.test>` }), RAW);
    expect(key).toMatch(/^<long\.[0-9a-f]{64}@mailroom\.invalid>$/);
    expect(dedupeKey(mail({ messageId: `<${'a'.repeat(994)}@x>` }), RAW)).toBe(`<${'a'.repeat(994)}@x>`);
  });

  it('derives a repeatable id from sender, date, subject and text when the Message-ID is missing', () => {
    const key = dedupeKey(mail(), RAW);
    const expected = createHash('sha256')
      .update(JSON.stringify(['jane@example.com', 'Tue, 20 Apr 2020 04:20:20 -0400', 'Printer broken', 'It prints nothing.']))
      .digest('hex');
    expect(key).toBe(`<derived.${expected}@mailroom.invalid>`);
    // The same mail delivered twice (other raw bytes: other Received lines) has the same key.
    expect(dedupeKey(mail({ messageId: '  ' }), 'cd'.repeat(32))).toBe(key);
    expect(dedupeKey(mail({ from: { address: 'JANE@example.com', name: 'J' }, text: 'It prints nothing.\r\n' }), RAW)).toBe(key);
  });

  it.each<[string, Partial<Parameters<typeof dedupeKey>[0]>]>([
    ['sender', { from: { address: 'bob@example.com', name: 'Jane' } }],
    ['date', { date: 'Tue, 20 Apr 2020 04:20:21 -0400' }],
    ['subject', { subject: 'Printer fixed' }],
    ['text', { text: 'It prints everything.' }],
    ['missing sender', { from: null }],
  ])('derives another id when the %s differs', (_case, change) => {
    expect(dedupeKey(mail(change), RAW)).not.toBe(dedupeKey(mail(), RAW));
  });

  it('does not confuse fields that merely run into each other', () => {
    expect(dedupeKey(mail({ subject: 'a|b', text: 'c' }), RAW)).not.toBe(dedupeKey(mail({ subject: 'a', text: 'b|c' }), RAW));
  });

  it('falls back to the raw hash only when there is nothing else', () => {
    const empty = { messageId: null, from: null, date: null, subject: '', text: '  \n' };
    expect(dedupeKey(empty, RAW.toUpperCase())).toBe(`<raw.${RAW}@mailroom.invalid>`);
    expect(dedupeKey({ ...empty, subject: 'x' }, RAW)).toMatch(/^<derived\./);
  });
});
