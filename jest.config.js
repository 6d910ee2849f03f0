// One jest run, three kinds of test told apart by file name (see DESIGN.md §4):
//   *.spec.ts      pure unit tests, no I/O, run in parallel
//   *.int.spec.ts  real PostgreSQL and RabbitMQ
//   *.e2e.spec.ts  the five services running, real SMTP both ways
const { pathsToModuleNameMapper } = require('./scripts/jest-paths');

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': swc },
  // NestJS 12 and sanitize-html's parser (htmlparser2 and its dom* helpers) ship as ES modules;
  // jest's CommonJS runtime needs them transformed.
  transformIgnorePatterns: ['node_modules/(?!(@nestjs|sanitize-html|htmlparser2|domhandler|domutils|dom-serializer|domelementtype|entities)/)'],
  moduleNameMapper: pathsToModuleNameMapper(),
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tools', '<rootDir>/tests', '<rootDir>/bench'],
};

module.exports = {
  // Integration suites wait on real services; unit tests finish in milliseconds either way.
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/scripts/count-reporter.js'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['**/*.spec.ts'],
      testPathIgnorePatterns: ['\\.int\\.spec\\.ts$', '\\.e2e\\.spec\\.ts$', '/node_modules/'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['**/*.int.spec.ts', '**/*.e2e.spec.ts'],
      globalSetup: '<rootDir>/libs/platform/testing/src/global-setup.ts',
    },
  ],
};
