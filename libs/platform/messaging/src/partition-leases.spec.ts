import { groupKey, partitionsFor } from './partition-leases';
import { partitionKeyOf, partitionOf } from '@mailroom/contracts';

describe('partition shares', () => {
  it('gives every partition to exactly one member, shares differing by at most one', () => {
    for (const members of [[0], [0, 1], [0, 1, 2], [3, 7, 9], [0, 1, 2, 3, 4, 5, 6]]) {
      for (const P of [1, 4, 6, 8]) {
        const shares = members.map((m) => partitionsFor(P, members, m));
        expect(shares.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: P }, (_, i) => i));
        const sizes = shares.map((s) => s.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('is the same in every process (order and duplicates of the member list do not matter) and nothing for a non-member', () => {
    expect(partitionsFor(6, [9, 3, 7, 3], 7)).toEqual(partitionsFor(6, [3, 7, 9], 7));
    expect(partitionsFor(6, [3, 7, 9], 7)).toEqual([1, 4]);
    expect(partitionsFor(6, [3, 7, 9], 5)).toEqual([]);
  });

  it('keys groups and streams stably', () => {
    expect(groupKey('mailroom.partitions/rules.ticket-events')).toBe(groupKey('mailroom.partitions/rules.ticket-events'));
    expect(groupKey('a')).toBeGreaterThanOrEqual(0);
    expect(groupKey('a')).toBeLessThanOrEqual(0x7fffffff);
    expect(partitionOf('ticket-1', 1)).toBe(0);
    const counts = [0, 0, 0, 0];
    for (let i = 1; i <= 4000; i++) counts[partitionOf(`ticket-${i}`, 4)]++;
    // Tickets spread over the partitions (each within 20 % of an even share).
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(200);
  });

  it('sends a command that names a ticket to that ticket’s partition, other messages by their own stream', () => {
    expect(partitionKeyOf({ kind: 'command', streamId: 'command-1', data: { ticketId: 42 } })).toBe('ticket-42');
    expect(partitionKeyOf({ kind: 'command', streamId: 'command-2', data: { requesterId: 7 } })).toBe('command-2');
    expect(partitionKeyOf({ kind: 'command', streamId: 'command-3', data: { ticketId: '42' } })).toBe('command-3');
    expect(partitionKeyOf({ kind: 'event', streamId: 'ticket-9', data: { ticketId: 42 } })).toBe('ticket-9');
  });
});
