// Resolves the workspace's @mailroom/* imports in the compiled tree (dist/), from the same
// tsconfig paths the compiler and jest use. Loaded with `node -r ./scripts/runtime-paths.js`.
const path = require('path');
const Module = require('module');
const { compilerOptions } = require('../tsconfig.base.json');

const dist = path.join(__dirname, '..', 'dist');
const targets = new Map(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [alias, path.join(dist, target.replace(/\.ts$/, '.js'))]),
);

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const target = targets.get(request);
  return resolve.call(this, target ?? request, ...rest);
};
