import type { Via } from '@mailroom/contracts';
import { mailedInTicket, NOW, replay, SYSTEM } from './test-fixtures';
import { decide, initialTicketState, type TicketCommand, type TicketState } from './ticket';

const now = NOW;
const system = SYSTEM;
const viaBounce: Via = { channel: 'system', source: { from: { address: 'mailer-daemon@mx.customer.test' }, to: {}, rel: 'bounce' } };
const openTicket = (): TicketState => mailedInTicket(7);

const bounce = (over: Partial<Extract<TicketCommand, { type: 'RecordBounce' }>> = {}): TicketCommand => ({
  type: 'RecordBounce',
  now,
  actor: system,
  via: viaBounce,
  mailId: 'mail-1',
  address: 'ann@customer.test',
  userId: 10,
  action: 'failed',
  status: '5.1.1',
  diagnostic: '550 5.1.1 user unknown',
  permanent: true,
  originalMessageId: '<n1@mailroom.test>',
  undeliverable: true,
  bouncedAt: now,
  ...over,
});

describe('bounces on the ticket', () => {
  it('a bounce of a mail about the ticket is recorded with its address, status, diagnostic and kind', () => {
    const d = decide(bounce(), openTicket());
    expect(d).toEqual({
      ok: true,
      events: [
        {
          type: 'ticket.delivery_bounced',
          data: {
            ticketId: 7,
            mailId: 'mail-1',
            address: 'ann@customer.test',
            userId: 10,
            action: 'failed',
            status: '5.1.1',
            diagnostic: '550 5.1.1 user unknown',
            permanent: true,
            originalMessageId: '<n1@mailroom.test>',
            undeliverable: true,
            bouncedAt: now,
          },
        },
      ],
    });
  });

  it('the same report for the same address is recorded once; another address of it is its own record', () => {
    const first = decide(bounce(), openTicket());
    const after = replay(first.ok ? first.events : [], openTicket());
    expect(decide(bounce(), after)).toEqual({ ok: true, events: [] });
    const other = decide(bounce({ address: 'bob@customer.test', userId: null, permanent: false, undeliverable: false, status: '4.2.2' }), after);
    expect(other.ok && other.events.map((e) => e.data)).toMatchObject([{ address: 'bob@customer.test', permanent: false, undeliverable: false }]);
  });

  it('a bounce changes nothing on the ticket itself', () => {
    const state = openTicket();
    const d = decide(bounce(), state);
    const after = replay(d.ok ? d.events : [], state);
    expect({ ...after, deliveries: [] }).toEqual({ ...state, deliveries: [] });
  });

  it('a bounce for a ticket that does not exist is refused', () => {
    expect(decide(bounce(), initialTicketState())).toMatchObject({ ok: false, error: { kind: 'not_found' } });
  });
});
