import { tickRefusal } from './scheduler-service';

const TOKEN = 'the-admin-token-0123456789';

describe('who may move the scheduler clock', () => {
  it('a loopback caller with the admin token as a bearer token', () => {
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) expect(tickRefusal(address, `Bearer ${TOKEN}`, TOKEN)).toBeNull();
  });

  it('nobody from another address, even with the token (the health port is open to the cluster)', () => {
    for (const address of ['10.0.0.7', '::ffff:10.0.0.7', '192.168.1.2', 'fe80::1', undefined]) expect(tickRefusal(address, `Bearer ${TOKEN}`, TOKEN)).toMatchObject({ status: 403 });
  });

  it('nobody without the right token, and nobody at all when no token is configured', () => {
    expect(tickRefusal('127.0.0.1', undefined, TOKEN)).toMatchObject({ status: 401 });
    expect(tickRefusal('127.0.0.1', 'Bearer wrong', TOKEN)).toMatchObject({ status: 401 });
    expect(tickRefusal('127.0.0.1', `Basic ${Buffer.from(`a@b/token:${TOKEN}`).toString('base64')}`, TOKEN)).toMatchObject({ status: 401 });
    expect(tickRefusal('127.0.0.1', `Bearer ${TOKEN}`, undefined)).toMatchObject({ status: 401 });
  });
});
