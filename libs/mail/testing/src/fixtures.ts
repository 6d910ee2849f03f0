import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { mailFilesBelow } from './corpus';

/**
 * Mailroom's own fixture mails, written for this repository (see fixtures/README.md): byte for
 * byte what a client or an MTA sends, line ends included (`.gitattributes` keeps git off them).
 */
export const FIXTURE_DIR = path.resolve(__dirname, '..', 'fixtures');

export const fixturePath = (relative: string): string => path.join(FIXTURE_DIR, relative);

/** The raw bytes of a fixture mail, e.g. `charsets/koi8-r.eml`. */
export const fixtureMail = (relative: string): Buffer => readFileSync(fixturePath(relative));

/** A fixture read as UTF-8 text (the reply bodies of `quoting/`). */
export const fixtureText = (relative: string): string => readFileSync(fixturePath(relative), 'utf8');

/** Every fixture `.eml` (or those of one folder), sorted. */
export const fixtureMailFiles = (folder = ''): string[] => mailFilesBelow(path.join(FIXTURE_DIR, folder));
