// Runs a TypeScript entry point from its sources, as `node -r ./tests/support/run-ts.js apps/x/src/main.ts`:
// compiles each .ts file with swc when it is required (the same settings as jest) and resolves the
// @mailroom/* aliases to their sources. Lets tests start the real entry points without a build.
const fs = require('fs');
const path = require('path');
const Module = require('module');
const { transformSync } = require('@swc/core');
const { compilerOptions } = require('../../tsconfig.base.json');

const ROOT = path.join(__dirname, '..', '..');
const aliases = new Map(Object.entries(compilerOptions.paths).map(([alias, [target]]) => [alias, path.join(ROOT, target)]));

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolve.call(this, aliases.get(request) ?? request, ...rest);
};

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
