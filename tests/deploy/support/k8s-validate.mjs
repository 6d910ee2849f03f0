// Validates Kubernetes objects against the API's JSON schemas, offline, with the
// `kubernetes-models` package (generated from the Kubernetes OpenAPI spec). That package is
// ES-module only, which jest's CommonJS runtime cannot load, so the tests run this script as a
// child process: a JSON array of objects on stdin, a JSON array of { ref, errors } on stdout.
// The schemas check types, required fields, enums and formats; like the API server without
// strict field validation, they let unknown fields through (the tests check the fields that
// matter by name).
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const objects = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const results = [];
for (const obj of objects) {
  const ref = `${obj?.apiVersion}/${obj?.kind}/${obj?.metadata?.name}`;
  const errors = [];
  if (typeof obj?.apiVersion !== 'string' || typeof obj?.kind !== 'string' || !/^[A-Z][A-Za-z0-9]*$/.test(obj.kind)) {
    errors.push('apiVersion and kind are required');
  } else {
    // "v1" is the core group (kubernetes-models/v1/Pod); others are "group/version".
    const path = `kubernetes-models/${obj.apiVersion}/${obj.kind}`;
    let Model;
    try {
      Model = (await import(path))[obj.kind];
    } catch {
      Model = undefined;
    }
    if (typeof Model !== 'function') {
      errors.push(`no schema for ${obj.apiVersion} ${obj.kind}`);
    } else {
      try {
        new Model(obj).validate();
      } catch (err) {
        errors.push(String(err?.message ?? err));
      }
    }
  }
  results.push({ ref, errors });
}
process.stdout.write(JSON.stringify(results));
