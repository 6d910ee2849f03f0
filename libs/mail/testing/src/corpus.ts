/// <reference types="jest" />
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** The root of the checkout (this file is libs/mail/testing/src/corpus.ts). */
export const REPOSITORY_ROOT = path.resolve(__dirname, '../../../..');

/**
 * The third-party mail corpus (MIT-licensed fixtures of other projects, see its README.md) that CI
 * keeps beside the checkout: `../shared/corpus` from the repository root, or MAILROOM_CORPUS_DIR
 * (absolute, or relative to the repository root). A fresh clone has none, and needs none: the
 * repository's own fixtures (libs/mail/testing/fixtures) cover the behaviour the corpus tests check
 * on more mail.
 */
export const corpusDir = (): string => path.resolve(REPOSITORY_ROOT, process.env.MAILROOM_CORPUS_DIR || path.join('..', 'shared', 'corpus'));

export const hasCorpus = (): boolean => existsSync(corpusDir());

/** A file of the corpus by its path inside it, e.g. `mailparser/nested.eml`. */
export const corpusFile = (relative: string): string => path.join(corpusDir(), relative);

/**
 * `describe` when the corpus is there, `describe.skip` when not: its tests are reported as
 * skipped, never as failed. jest still runs the callback to collect the tests, so nothing in it may
 * read the corpus outside a test or a hook. (A function, not `describe` itself, so that loading this
 * module outside jest does not touch jest's globals.)
 */
export const describeIfCorpus = (name: string, tests: () => void): void => (hasCorpus() ? describe : describe.skip)(name, tests);

/** Every `.eml` file below a folder, in a stable (sorted) order; none when the folder is missing. */
export const mailFilesBelow = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir)
        .sort()
        .flatMap((name) => {
          const full = path.join(dir, name);
          return statSync(full).isDirectory() ? mailFilesBelow(full) : name.endsWith('.eml') ? [full] : [];
        })
    : [];

/** Every `.eml` file of the corpus (or of a folder of it); none when the corpus is not there. */
export const corpusMailFiles = (dir: string = corpusDir()): string[] => mailFilesBelow(dir);
