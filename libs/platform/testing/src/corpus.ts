import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** Every `.eml` file below a folder of the shared corpus, in a stable (sorted) order. */
export const corpusMailFiles = (dir: string): string[] =>
  readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? corpusMailFiles(full) : name.endsWith('.eml') ? [full] : [];
    });
