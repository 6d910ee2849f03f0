import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Jest compiles with swc, which strips types without checking them; the type checker runs here so
 * that a type error is a failing test, counted like any other.
 */
describe('the TypeScript compiler', () => {
  it('finds no type errors in apps, libs, tools, tests, bench and scripts', () => {
    const root = path.join(__dirname, '..', '..');
    let output = '';
    try {
      execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit'], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      output = `${(err as { stdout?: string }).stdout ?? ''}${(err as { stderr?: string }).stderr ?? ''}` || String(err);
    }
    expect(output).toBe('');
  });
});
