// The Dockerfile and .dockerignore, read as text: multi-stage on a pinned node LTS trixie-slim,
// npm ci + build + prune, non-root numeric user, runtime command through runtime-paths.js.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_LTS_MAJOR, dockerfileProblems, dockerignoreProblems, parseDockerfile } from './support/dockerfile';

const ROOT = join(__dirname, '..', '..');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8');

describe('Dockerfile', () => {
  it('is right for Mailroom', () => {
    expect(dockerfileProblems(dockerfile)).toEqual([]);
  });

  it('runs the Node.js Active LTS, 26', () => {
    expect(NODE_LTS_MAJOR).toBe(26);
    expect(parseDockerfile(dockerfile).stages.map((s) => s.image.split(/[:.-]/)[1])).toEqual(['26', '26']);
  });

  it('parses stages, continuation lines and ARG defaults', () => {
    const { stages } = parseDockerfile(dockerfile);
    expect(stages.map((s) => [s.name, s.image])).toEqual([
      ['build', 'node:26.13-trixie-slim'],
      ['runtime', 'node:26.13-trixie-slim'],
    ]);
    const run = stages[0].instructions.filter((i) => i.cmd === 'RUN').map((i) => i.args);
    expect(run).toContain('npm run build && npm prune --omit=dev && npm cache clean --force');
  });

  describe('each check can fail', () => {
    const cases: Array<[string, (d: string) => string, RegExp]> = [
      ['a single stage', (d) => d.replace(/^FROM \$\{NODE_IMAGE\} AS runtime$/m, '').replace(/^COPY --from=build.*$/gm, ''), /multi-stage/],
      ['an unpinned base', (d) => d.replace('node:26.13-trixie-slim', 'node:latest'), /FROM node:latest is not pinned/],
      ['another base', (d) => d.replace('node:26.13-trixie-slim', 'node:26.13-alpine'), /is not node:26 \(the Node.js LTS\) trixie-slim/],
      ['an end-of-life Node.js', (d) => d.replace('node:26.13-trixie-slim', 'node:20.19-bookworm-slim'), /node:20\.19-bookworm-slim is not node:26/],
      ['npm install', (d) => d.replace('RUN npm ci', 'RUN npm install'), /does not install with npm ci/],
      ['no build', (d) => d.replace('npm run build', 'true'), /does not run npm run build/],
      ['dev dependencies kept', (d) => d.replace('npm prune --omit=dev', 'true'), /not pruned/],
      ['root', (d) => d.replace(/^USER .*$/m, ''), /runs as root/],
      ['uid 0', (d) => d.replace(/^USER .*$/m, 'USER 0:0'), /runs as 0:0/],
      ['a user name', (d) => d.replace(/^USER .*$/m, 'USER node'), /USER node is not numeric/],
      ['no dist', (d) => d.replace(/^COPY --from=build \/app\/dist .*$/m, ''), /does not copy \/app\/dist/],
      ['shell-form CMD', (d) => d.replace(/^CMD .*$/m, 'CMD node dist/apps/ticket/src/main.js'), /no exec-form CMD/],
      ['no path hook', (d) => d.replace(/^CMD .*$/m, 'CMD ["node", "dist/apps/ticket/src/main.js"]'), /through \.\/scripts\/runtime-paths\.js/],
    ];
    it.each(cases)('%s', (_name, mutate, expected) => {
      const changed = mutate(dockerfile);
      expect(changed).not.toBe(dockerfile);
      expect(dockerfileProblems(changed).join('\n')).toMatch(expected);
    });
  });
});

describe('.dockerignore', () => {
  it('keeps node_modules, dist, .git and .env out of the build context', () => {
    expect(dockerignoreProblems(dockerignore)).toEqual([]);
    expect(dockerignoreProblems(dockerignore.replace(/^node_modules$/m, ''))).toEqual(['.dockerignore does not exclude node_modules']);
  });
});
