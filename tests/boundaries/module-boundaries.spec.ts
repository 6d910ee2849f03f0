import { spawnSync } from 'node:child_process';
import path from 'node:path';

// ESLint loads its flat config with a dynamic import, which jest's CommonJS sandbox cannot do, so
// the linter runs in a process of its own, once for all the probes below and once for the tree.
const root = path.join(__dirname, '..', '..');

interface LintMessage {
  ruleId: string | null;
  message: string;
  severity: number;
}
interface LintResult {
  filePath: string;
  messages: LintMessage[];
}

const LINT_SOURCES = `
const { ESLint } = require('eslint');
const probes = JSON.parse(process.argv[1]);
(async () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const out = [];
  for (const p of probes) out.push((await eslint.lintText(p.source, { filePath: p.file }))[0]);
  process.stdout.write(JSON.stringify(out));
})().catch((err) => { console.error(err); process.exit(2); });
`;

const lintProbes = (probes: { file: string; source: string }[]): LintResult[] => {
  const res = spawnSync(process.execPath, ['-e', LINT_SOURCES, JSON.stringify(probes.map((p) => ({ ...p, file: path.join(root, p.file) })))], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (res.status !== 0) throw new Error(`eslint failed: ${res.stderr}`);
  return JSON.parse(res.stdout);
};

const refused: [string, string, string][] = [
  ['a domain lib imports the database lib', 'libs/ticket/domain/src/probe.ts', "import { migrate } from '@mailroom/database';\n"],
  ['a domain lib imports the ticket service', 'libs/rules/domain/src/probe.ts', "import { startTicketService } from '@mailroom/ticket';\n"],
  ['a domain lib imports pg directly', 'libs/mail/domain/src/probe.ts', "import { Client } from 'pg';\n"],
  ['a domain lib imports Nest', 'libs/notifier/domain/src/probe.ts', "import { Injectable } from '@nestjs/common';\n"],
  ['the contracts import a domain lib', 'libs/contracts/src/probe.ts', "import { decide } from '@mailroom/ticket-domain';\n"],
];
const allowed: [string, string, string][] = [
  ['a domain lib imports the contracts', 'libs/ticket/domain/src/probe.ts', "import { topologyFor } from '@mailroom/contracts';\n"],
  ['a service lib imports its domain and the platform', 'libs/ticket/service/src/probe.ts', "import { decide } from '@mailroom/ticket-domain';\nimport { migrate } from '@mailroom/database';\n"],
];

describe('module boundaries (DESIGN.md §4)', () => {
  let results: LintResult[];
  const boundaryErrors = (i: number): string[] =>
    results[i].messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries' && m.severity === 2).map((m) => m.message);

  beforeAll(() => {
    results = lintProbes([...refused, ...allowed].map(([, file, source]) => ({ file, source })));
  });

  it.each(refused.map((r, i) => [r[0], i] as const))('refuses: %s', (_what, i) => {
    expect(boundaryErrors(i)).not.toHaveLength(0);
  });

  it.each(allowed.map((r, i) => [r[0], refused.length + i] as const))('allows: %s', (_what, i) => {
    expect(boundaryErrors(i)).toEqual([]);
  });

  it('the whole tree keeps them (npm run lint)', () => {
    const res = spawnSync(process.execPath, [path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--format', 'json', 'apps', 'libs', 'tools', 'bench', 'scripts', 'tests'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const tree: LintResult[] = JSON.parse(res.stdout);
    const errors = tree.flatMap((r) => r.messages.filter((m) => m.severity === 2).map((m) => `${path.relative(root, r.filePath)}: ${m.ruleId}: ${m.message}`));
    expect(errors).toEqual([]);
    expect(res.status).toBe(0);
  });
});
