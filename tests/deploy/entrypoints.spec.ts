// Every command in the deployment files (Dockerfile, docker-compose.yml, k8s/base) starts a file
// that the image really has: `-r ./scripts/runtime-paths.js` is in the repository, and each
// dist/<path>.js is compiled from a <path>.ts that `npm run build` (tsconfig.build.json) compiles.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCompose } from './support/compose';
import { parseDockerfile } from './support/dockerfile';
import { containersOf, render } from './support/k8s';

const ROOT = join(__dirname, '..', '..');

function commands(): Array<{ where: string; argv: string[] }> {
  const out: Array<{ where: string; argv: string[] }> = [];
  const { stages } = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  const cmd = stages[stages.length - 1].instructions.filter((i) => i.cmd === 'CMD').pop();
  if (cmd) out.push({ where: 'Dockerfile CMD', argv: JSON.parse(cmd.args) });
  for (const [name, svc] of Object.entries(loadCompose().services as Record<string, { command?: string[] }>)) {
    if (Array.isArray(svc.command)) out.push({ where: `docker-compose.yml ${name}`, argv: svc.command });
  }
  for (const obj of render(join(ROOT, 'k8s', 'base')).objects) {
    for (const c of containersOf(obj)) {
      if (c.command) out.push({ where: `k8s/base ${obj.kind}/${obj.metadata.name}`, argv: [...c.command, ...(c.args ?? [])] });
    }
  }
  return out;
}

/** dist/<path>.js → the source it is compiled from, or a reason it cannot be. */
function entryProblems(argv: string[], exists: (path: string) => boolean): string[] {
  const problems: string[] = [];
  if (argv[0] !== 'node') return [`${argv.join(' ')} does not start node`];
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === '-r' || argv[i] === '--require') {
      const hook = argv[++i].replace(/^\.\//, '');
      if (!exists(hook)) problems.push(`${hook} does not exist`);
      continue;
    }
    const m = /^dist\/(.+)\.js$/.exec(argv[i]);
    if (!m) {
      problems.push(`${argv[i]} is not a compiled entry point under dist/`);
      continue;
    }
    const source = `${m[1]}.ts`;
    if (!/^(apps|libs|tools|bench|scripts)\//.test(source) || /\.spec\.ts$/.test(source)) problems.push(`${source} is not compiled by npm run build`);
    else if (!exists(source)) problems.push(`${source} does not exist (the build would not produce ${argv[i]})`);
  }
  return problems;
}

describe('deployment entry points', () => {
  const all = commands();

  it('are found in the Dockerfile, docker-compose.yml and k8s/base', () => {
    const scripts = new Set(all.map((c) => c.argv[c.argv.length - 1]));
    expect([...scripts].sort()).toEqual(
      [
        ...['ingest', 'notifier', 'rules', 'scheduler', 'ticket'].map((s) => `dist/apps/${s}/src/main.js`),
        'dist/scripts/migrate.js',
        'dist/tools/mail-catcher/src/main.js',
      ].sort(),
    );
  });

  it('start files that the build produces', () => {
    const exists = (p: string) => existsSync(join(ROOT, p));
    const problems = new Map<string, string[]>();
    for (const { where, argv } of all) {
      for (const p of entryProblems(argv, exists)) problems.set(p, [...(problems.get(p) ?? []), where]);
    }
    expect([...problems].map(([p, where]) => `${p} — needed by ${where.join(', ')}`)).toEqual([]);
  });

  it('the check can fail', () => {
    const none = () => false;
    expect(entryProblems(['node', '-r', './scripts/runtime-paths.js', 'dist/apps/x/src/main.js'], none)).toEqual([
      'scripts/runtime-paths.js does not exist',
      'apps/x/src/main.ts does not exist (the build would not produce dist/apps/x/src/main.js)',
    ]);
    expect(entryProblems(['node', 'dist/tests/deploy/x.js'], () => true)).toEqual(['tests/deploy/x.ts is not compiled by npm run build']);
    expect(entryProblems(['node', 'main.js'], () => true)).toEqual(['main.js is not a compiled entry point under dist/']);
  });
});
