// The corpus and fixture-mail helpers live with the mail context's test support, where the pure
// domain tests can reach them too; re-exported here for the infrastructure and end-to-end tests.
export { corpusDir, corpusFile, corpusMailFiles, describeIfCorpus, fixtureMail, fixtureMailFiles, fixturePath, hasCorpus } from '@mailroom/mail-testing';
