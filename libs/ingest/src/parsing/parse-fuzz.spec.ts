import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { corpusDir, corpusMailFiles, FIXTURE_DIR, fixtureMailFiles } from '@mailroom/mail-testing';
import { MailParseRefused } from './limits';
import { ParserPool } from './parser-pool';


/** A small seeded generator (mulberry32): the same mutations on every run, so a failure repeats. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

type Mutation = (raw: Buffer, rnd: () => number) => Buffer;
const at = (raw: Buffer, rnd: () => number) => Math.floor(rnd() * raw.length);
const MUTATIONS: Record<string, Mutation> = {
  'cut short': (raw, rnd) => raw.subarray(0, at(raw, rnd)),
  'bytes flipped': (raw, rnd) => {
    const out = Buffer.from(raw);
    for (let i = 0; i < 24; i++) out[at(out, rnd)] = Math.floor(rnd() * 256);
    return out;
  },
  'no blank line after the headers': (raw) => Buffer.from(raw.toString('latin1').replace(/\r?\n\r?\n/, '\n'), 'latin1'),
  'a slice repeated': (raw, rnd) => {
    const start = at(raw, rnd);
    const slice = raw.subarray(start, start + 1 + Math.floor(rnd() * 400));
    return Buffer.concat([raw.subarray(0, start), slice, slice, slice, raw.subarray(start)]);
  },
  'stray delimiters and encoded-words': (raw, rnd) => {
    const junk = Buffer.from('\r\n--\r\n--=_\r\nContent-Type: multipart/mixed; boundary=""\r\n=?utf-8?B?####?= =?x-unknown?Q?=FF=?=\r\n', 'latin1');
    const i = at(raw, rnd);
    return Buffer.concat([raw.subarray(0, i), junk, raw.subarray(i)]);
  },
  'bare CR line ends': (raw) => Buffer.from(raw.toString('latin1').replace(/\r?\n/g, '\r'), 'latin1'),
};

/**
 * Broken copies of real mail — the repository's fixture mails, and the third-party corpus too when
 * it is beside the checkout — (cut short, bytes flipped, headers run into the body, stray MIME
 * delimiters, bare CRs) through the production parser pool: each must come back parsed, or refused
 * with a suspension cause; never another error, never a stuck thread.
 */
describe('parsing mangled real mail', () => {
  let pool: ParserPool;
  beforeAll(() => {
    pool = new ParserPool({ baseUrl: 'https://h.test', threads: 2, limits: { parseTimeoutMs: 3000 } });
  });
  afterAll(async () => pool?.close());

  const files = [...fixtureMailFiles(), ...corpusMailFiles()];
  const shown = (file: string) => (file.startsWith(FIXTURE_DIR) ? path.relative(FIXTURE_DIR, file) : `corpus/${path.relative(corpusDir(), file)}`);

  it.each(Object.keys(MUTATIONS))('%s', async (name) => {
    const rnd = random(name.length * 7919);
    const outcomes = await Promise.all(
      files.map(async (file) => {
        const mangled = MUTATIONS[name](readFileSync(file), rnd);
        try {
          const r = await pool.parse(mangled, 'sender@x.test');
          return typeof r.mail.subject === 'string' && typeof r.mail.text === 'string' ? 'parsed' : `${shown(file)}: bad shape`;
        } catch (err) {
          return err instanceof MailParseRefused ? `refused:${err.suspensionCause}` : `${shown(file)}: ${String(err)}`;
        }
      }),
    );
    expect(fixtureMailFiles().length).toBeGreaterThan(40);
    if (process.env.FUZZ_REPORT) console.log(name, JSON.stringify(outcomes.reduce<Record<string, number>>((n, o) => ({ ...n, [o]: (n[o] ?? 0) + 1 }), {})));
    expect(outcomes.filter((o) => o !== 'parsed' && !o.startsWith('refused:'))).toEqual([]);
    expect(outcomes.filter((o) => o === 'parsed').length).toBeGreaterThan(0);
    // Bare CRs are read as line ends: such mail parses like the original.
    if (name === 'bare CR line ends') expect(outcomes.filter((o) => o !== 'parsed')).toEqual([]);
  }, 60_000);
});
