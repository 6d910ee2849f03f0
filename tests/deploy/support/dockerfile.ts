// A small Dockerfile reader (continuation lines, comments, ARG defaults in FROM, stages) and the
// facts Mailroom's image must have. No Docker needed.
import { isPinnedImage } from './facts';

export interface Instruction {
  cmd: string;
  args: string;
  line: number;
}

export interface Stage {
  name: string | null;
  image: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const instructions: Instruction[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    if (/^\s*(#|$)/.test(lines[i])) continue;
    let joined = lines[i];
    while (/\\\s*$/.test(joined) && i + 1 < lines.length) {
      i++;
      if (/^\s*#/.test(lines[i])) continue; // comments inside a continued instruction are dropped
      joined = joined.replace(/\\\s*$/, ' ') + lines[i];
    }
    const m = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(joined);
    if (m) instructions.push({ cmd: m[1].toUpperCase(), args: m[2].replace(/\s+/g, ' ').trim(), line: start + 1 });
  }

  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  const subst = (s: string) => s.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (w, n: string) => args[n] ?? w);
  for (const ins of instructions) {
    if (ins.cmd === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      stages.push({ image: subst(m?.[1] ?? ins.args), name: m?.[2] ?? null, instructions: [] });
    } else if (stages.length === 0 && ins.cmd === 'ARG') {
      const [name, ...rest] = ins.args.split('=');
      args[name.trim()] = rest.join('=').trim();
    } else if (stages.length) {
      stages[stages.length - 1].instructions.push(ins);
    }
  }
  return { args, stages };
}

const execForm = (args: string): string[] | null => {
  try {
    const v = JSON.parse(args);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : null;
  } catch {
    return null;
  }
};

/**
 * The Node.js line the image runs: the Active LTS (26 'Lithium' since 2026-10-28; 20 reached its end
 * of life in April 2026). The slim image of the current Debian stable, trixie.
 */
export const NODE_LTS_MAJOR = 26;
const NODE_IMAGE = new RegExp(`^node:${NODE_LTS_MAJOR}(\\.\\d+){0,2}-trixie-slim$`);

/** Everything wrong with the Dockerfile for Mailroom; empty when it is right. */
export function dockerfileProblems(text: string): string[] {
  const problems: string[] = [];
  const { stages } = parseDockerfile(text);
  if (stages.length < 2) return [`expected a multi-stage build, found ${stages.length} stage(s)`];
  const names = new Set(stages.map((s) => s.name).filter(Boolean));
  for (const s of stages) {
    if (names.has(s.image)) continue;
    if (!isPinnedImage(s.image)) problems.push(`FROM ${s.image} is not pinned to a version tag`);
    if (!NODE_IMAGE.test(s.image)) problems.push(`FROM ${s.image} is not node:${NODE_LTS_MAJOR} (the Node.js LTS) trixie-slim`);
  }
  const runs = (s: Stage) => s.instructions.filter((i) => i.cmd === 'RUN').map((i) => i.args).join(' && ');
  const final = stages[stages.length - 1];
  const builders = stages.slice(0, -1);
  const buildRuns = builders.map(runs).join(' && ');
  if (!/\bnpm ci\b/.test(buildRuns)) problems.push('the build stage does not install with npm ci');
  if (/\bnpm (install|i)\b/.test(buildRuns + runs(final))) problems.push('npm install is used; use npm ci (the lockfile)');
  if (!/\bnpm run build\b/.test(buildRuns)) problems.push('the build stage does not run npm run build');
  if (!/\bnpm prune --omit=dev\b/.test(buildRuns) && !/\bnpm ci --omit=dev\b/.test(runs(final))) problems.push('dev dependencies are not pruned');

  const users = final.instructions.filter((i) => i.cmd === 'USER');
  const user = users[users.length - 1]?.args;
  if (!user) problems.push('the final stage runs as root (no USER)');
  else {
    const [uid] = user.split(':');
    if (uid === 'root' || uid === '0') problems.push(`the final stage runs as ${user}`);
    else if (!/^\d+$/.test(uid)) problems.push(`USER ${user} is not numeric, so Kubernetes runAsNonRoot cannot verify it`);
  }

  const copies = final.instructions.filter((i) => i.cmd === 'COPY' && /--from=/.test(i.args)).map((i) => i.args);
  for (const needed of ['dist', 'node_modules', 'scripts']) {
    if (!copies.some((c) => new RegExp(`\\s/app/${needed}(\\s|$)`).test(c))) problems.push(`the final stage does not copy /app/${needed} from the build`);
  }
  const cmd = [...final.instructions].reverse().find((i) => i.cmd === 'CMD' || i.cmd === 'ENTRYPOINT');
  const form = cmd ? execForm(cmd.args) : null;
  if (!form) problems.push('the final stage has no exec-form CMD');
  else if (form.slice(0, 3).join(' ') !== 'node -r ./scripts/runtime-paths.js' || !/^dist\/.+\.js$/.test(form[3] ?? '')) {
    problems.push(`CMD ${cmd!.args} does not start a dist/ entry point through ./scripts/runtime-paths.js`);
  }
  return problems;
}

/** Paths that must stay out of the build context. */
export function dockerignoreProblems(text: string): string[] {
  const entries = new Set(text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
  return ['node_modules', 'dist', '.git', '.env'].filter((p) => !entries.has(p)).map((p) => `.dockerignore does not exclude ${p}`);
}
