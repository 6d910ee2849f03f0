// Module boundaries the build enforces (DESIGN.md §4): domain code never imports infrastructure.
// Every project's tags live in its project.json; the dependency rules below are stated on the
// `type:*` tags:
//   type:contracts  → contracts
//   type:domain     → domain, contracts
//   type:infra      → infra, domain, contracts
//   type:tool       → tool, infra, domain, contracts
//   type:app        → anything but another app
// A project with no `type:*` tag matches no constraint and so may depend on no project at all.
import nx from '@nx/eslint-plugin';
import { createProjectGraphAsync } from '@nx/devkit';
import tseslint from 'typescript-eslint';

// @nx/enforce-module-boundaries reads the project graph Nx caches in .nx/workspace-data and
// silently skips every check when there is none (a fresh clone, CI). Compute it here, in
// process (nx.json turns the daemon off), so every `eslint` run checks against the current tags.
await createProjectGraphAsync({ exitOnError: true });

// Packages that do I/O or belong to the Nest shell: the pure core must not reach for them.
const ioPackages = [
  '@nestjs/*',
  'typeorm',
  'pg',
  'amqplib',
  'nodemailer',
  'smtp-server',
  'express',
];

export const moduleBoundaries = {
  enforceBuildableLibDependency: false,
  allow: [],
  depConstraints: [
    {
      sourceTag: 'type:contracts',
      onlyDependOnLibsWithTags: ['type:contracts'],
      bannedExternalImports: ioPackages,
    },
    {
      sourceTag: 'type:domain',
      onlyDependOnLibsWithTags: ['type:domain', 'type:contracts'],
      bannedExternalImports: ioPackages,
    },
    {
      sourceTag: 'type:infra',
      onlyDependOnLibsWithTags: ['type:infra', 'type:domain', 'type:contracts'],
    },
    {
      sourceTag: 'type:tool',
      onlyDependOnLibsWithTags: ['type:tool', 'type:infra', 'type:domain', 'type:contracts'],
    },
    {
      sourceTag: 'type:app',
      notDependOnLibsWithTags: ['type:app'],
    },
  ],
};

export default [
  { ignores: ['**/node_modules/**', 'dist/**', 'coverage/**', '.nx/**', 'tmp/**'] },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      // Syntax only: no type information, so linting stays fast and needs no tsconfig project.
      parserOptions: { ecmaVersion: 2022, sourceType: 'module' },
    },
  },
  {
    // The package is CommonJS: plain .js files are CommonJS scripts (jest config, runtime paths).
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', ecmaVersion: 2022 },
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.cjs', '**/*.mjs'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': ['error', moduleBoundaries],
    },
  },
];
