// Test support only (never imported by production code): the repository's own fixture mails,
// and the third-party corpus CI keeps beside the checkout. Tagged `type:domain` so that the pure
// domain tests may use it too; it reads files and nothing else.
export * from './corpus';
export * from './fixtures';
