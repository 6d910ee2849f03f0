// Integration and end-to-end suites run against the real PostgreSQL and RabbitMQ; each suite makes
// its own database and broker namespace (see test-environment.ts), so nothing is shared between runs.
export default async function globalSetup(): Promise<void> {
  process.env.MAILROOM_TEST_RUN ??= `r${Date.now().toString(36)}`;
}
