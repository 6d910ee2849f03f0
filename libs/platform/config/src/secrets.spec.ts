import { ConfigError, DEFAULTS, readAdminToken, readCommonConfig, readMailroomEnv, readSchedulerConfig, readTicketConfig } from './index';

const OWN = { MAILROOM_SECRET: 'a-secret-of-this-installation', MAILROOM_ADMIN_TOKEN: 'a-token-of-this-installation' };

describe('secrets outside development', () => {
  it('MAILROOM_ENV defaults to production and accepts only development or production', () => {
    expect(readMailroomEnv({})).toBe('production');
    expect(readMailroomEnv({ MAILROOM_ENV: 'Development' })).toBe('development');
    expect(() => readMailroomEnv({ MAILROOM_ENV: 'staging' })).toThrow(/MAILROOM_ENV must be development or production/);
  });

  it('refuses the development secret, set or defaulted, naming MAILROOM_SECRET', () => {
    expect(() => readCommonConfig({})).toThrow(ConfigError);
    expect(() => readCommonConfig({})).toThrow(/^MAILROOM_SECRET is not set/);
    expect(() => readCommonConfig({ MAILROOM_SECRET: DEFAULTS.DEV_SECRET })).toThrow(/^MAILROOM_SECRET is the published development value/);
    expect(() => readCommonConfig({ MAILROOM_ENV: 'production', MAILROOM_SECRET: DEFAULTS.DEV_SECRET })).toThrow(ConfigError);
  });

  it('refuses the development admin token in the ticket service and the scheduler, naming MAILROOM_ADMIN_TOKEN', () => {
    const env = { MAILROOM_SECRET: OWN.MAILROOM_SECRET };
    expect(() => readTicketConfig(env)).toThrow(/^MAILROOM_ADMIN_TOKEN is not set/);
    expect(() => readTicketConfig({ ...env, MAILROOM_ADMIN_TOKEN: DEFAULTS.DEV_ADMIN_TOKEN })).toThrow(/^MAILROOM_ADMIN_TOKEN is the published development value/);
    expect(() => readSchedulerConfig({ ...env, MAILROOM_ADMIN_TOKEN: DEFAULTS.DEV_ADMIN_TOKEN })).toThrow(/MAILROOM_ADMIN_TOKEN/);
  });

  it('the messages never carry the refused value', () => {
    try {
      readAdminToken({ MAILROOM_ADMIN_TOKEN: DEFAULTS.DEV_ADMIN_TOKEN });
      throw new Error('not refused');
    } catch (err) {
      expect((err as Error).message).not.toContain(DEFAULTS.DEV_ADMIN_TOKEN);
      expect((err as Error).message.split('\n')).toHaveLength(1);
    }
  });

  it('accepts secrets of the installation in production', () => {
    const cfg = readTicketConfig(OWN);
    expect(cfg).toMatchObject({ env: 'production', secret: OWN.MAILROOM_SECRET, adminToken: OWN.MAILROOM_ADMIN_TOKEN });
  });

  it('accepts the development values when MAILROOM_ENV=development', () => {
    const cfg = readTicketConfig({ MAILROOM_ENV: 'development' });
    expect(cfg).toMatchObject({ env: 'development', secret: DEFAULTS.DEV_SECRET, adminToken: DEFAULTS.DEV_ADMIN_TOKEN });
    expect(readSchedulerConfig({ MAILROOM_ENV: 'development' }).adminToken).toBe(DEFAULTS.DEV_ADMIN_TOKEN);
  });
});
