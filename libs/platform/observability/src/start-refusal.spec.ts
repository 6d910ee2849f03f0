import { DEFAULTS, readSchedulerConfig, readTicketConfig } from '@mailroom/config';
import { runMain } from './run-main';

class Exited extends Error {
  constructor(readonly code: number | undefined) {
    super(`exit ${code}`);
  }
}

/** What an app's main.ts does at start-up with development secrets outside development. */
describe('a service started with development secrets outside development', () => {
  let stderr: string[];
  beforeEach(() => {
    stderr = [];
    jest.spyOn(process, 'exit').mockImplementation(((code?: number) => {
      throw new Exited(code);
    }) as never);
    jest.spyOn(process.stderr, 'write').mockImplementation(((chunk: string) => stderr.push(String(chunk))) as never);
  });
  afterEach(() => jest.restoreAllMocks());

  it.each([
    ['ticket', () => readTicketConfig({ MAILROOM_SECRET: 'an-own-secret-value', MAILROOM_ADMIN_TOKEN: DEFAULTS.DEV_ADMIN_TOKEN }), 'MAILROOM_ADMIN_TOKEN'],
    ['ticket', () => readTicketConfig({ MAILROOM_ENV: 'production', MAILROOM_SECRET: DEFAULTS.DEV_SECRET, MAILROOM_ADMIN_TOKEN: 'an-own-token-value' }), 'MAILROOM_SECRET'],
    ['scheduler', () => readSchedulerConfig({ MAILROOM_SECRET: 'an-own-secret-value' }), 'MAILROOM_ADMIN_TOKEN'],
  ])('%s exits with EX_CONFIG and one line naming %s, before starting anything', async (service, readConfig, setting) => {
    const start = jest.fn();
    await expect(runMain(service, readConfig as () => { logLevel: 'info' }, start)).rejects.toEqual(new Exited(78));
    expect(start).not.toHaveBeenCalled();
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(new RegExp(`^${service}: configuration error: ${setting} is .*\\n$`));
    expect(stderr[0]).not.toContain(DEFAULTS.DEV_ADMIN_TOKEN);
  });
});
