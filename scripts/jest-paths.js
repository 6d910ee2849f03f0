// Maps the tsconfig path aliases (@mailroom/*) for jest, from the one place they are declared.
const path = require('path');
const { compilerOptions } = require('../tsconfig.base.json');

exports.pathsToModuleNameMapper = () => {
  const mapper = {};
  for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
    mapper[`^${alias.replace(/[/.]/g, (c) => `\\${c}`)}$`] = path.join(__dirname, '..', target);
  }
  return mapper;
};
