// Test support: randomized but valid-looking ticket histories (the log messages of one ticket,
// grouped by update), for the snapshot's equivalence tests. Seeded: a failure names its seed.
import type { Actor, Message, MessageMetadata, TicketEvent, TicketPriority, TicketStatus, TicketType, Via } from '@mailroom/contracts';

export interface HistoryUpdate {
  messages: Message[];
}

const STATUSES: TicketStatus[] = ['new', 'open', 'pending', 'hold', 'solved', 'closed'];
const PRIORITIES: (TicketPriority | null)[] = [null, 'low', 'normal', 'high', 'urgent'];
const TYPES: (TicketType | null)[] = [null, 'question', 'incident', 'problem', 'task'];
const CHANNELS: Via['channel'][] = ['email', 'api', 'web', 'rule', 'closed_ticket', 'system'];

/** A small deterministic generator (mulberry32). */
export const rng = (seed: number) => {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const chance = (p: number): boolean => next() < p;
  return { next, int, pick, chance };
};

const viaOf = (channel: Via['channel'], rel: string | null = null): Via => ({ channel, source: { from: {}, to: {}, rel } });

/**
 * One ticket's history: a creation, then `updates` updates of one to four events each, drawn from
 * every ticket event type (field changes from the value the ticket has, comments by end users,
 * agents, admins and the system, records of rules and deliveries, surveys and ratings: now and
 * then a repeated offer, which the decider never makes but older logs may hold).
 */
export const randomTicketHistory = (seed: number, updates = 12): HistoryUpdate[] => {
  const r = rng(seed);
  const ticketId = 1000 + r.int(9000);
  let version = 0;
  let position = seed * 1000;
  let clock = Date.UTC(2026, 0, 1) + r.int(1e9);
  let status: TicketStatus = r.pick(STATUSES.slice(0, 5));
  let priority = r.pick(PRIORITIES);
  let type = r.pick(TYPES);
  let subject = `Subject ${r.int(100)}`;
  let groupId: number | null = r.chance(0.5) ? 1 + r.int(3) : null;
  let assigneeId: number | null = r.chance(0.5) ? 10 + r.int(3) : null;
  let requesterId = 100 + r.int(3);
  let tags: string[] = r.chance(0.5) ? ['vip'] : [];
  let ccIds: number[] = [];
  let rated = false;
  let offered = false;
  let commentId = ticketId * 100;
  const messageIds = ['<a@x.test>', '<b@x.test>', '<c@x.test>'];

  const out: HistoryUpdate[] = [];
  const update = (events: TicketEvent[], meta: { actor?: Actor; via?: Via; occurredAt: string }) => {
    const updateId = `u-${seed}-${out.length}`;
    const messages = events.map((e, i): Message => {
      const metadata: MessageMetadata = { updateId, updateSize: events.length, updateIndex: i, occurredAt: meta.occurredAt };
      if (meta.actor) metadata.actor = meta.actor;
      if (meta.via) metadata.via = meta.via;
      return { id: `${updateId}-${i}`, kind: 'event', type: e.type, schemaVersion: 1, streamId: `ticket-${ticketId}`, streamVersion: ++version, globalPosition: String(++position), data: e.data, metadata };
    });
    out.push({ messages });
  };
  const tick = (): string => {
    clock += 1000 + r.int(3_600_000);
    return new Date(clock).toISOString();
  };

  const createdAt = tick();
  const channel = r.pick(CHANNELS);
  const createdMail = r.chance(0.5) ? { mailId: 'm0', messageId: r.pick(messageIds), recipients: ['support@x.test'], supportAddress: 'support@x.test' } : null;
  update(
    [
      {
        type: 'ticket.created',
        data: {
          ticketId,
          subject,
          requesterId,
          submitterId: requesterId,
          recipient: r.chance(0.7) ? 'support@x.test' : null,
          status,
          priority,
          type,
          groupId,
          assigneeId,
          tags,
          ccIds,
          externalId: r.chance(0.3) ? 'ext-1' : null,
          ...(r.chance(0.8) ? { organizationId: r.chance(0.5) ? 30 : null } : {}),
          via: viaOf(channel),
          mail: createdMail,
          createdAt,
        },
      },
    ],
    { actor: r.pick<Actor>([{ userId: requesterId, role: 'end_user' }, { userId: 10, role: 'agent' }, { userId: null, role: 'system' }]), via: viaOf(channel), occurredAt: createdAt },
  );

  for (let u = 0; u < updates; u++) {
    const at = tick();
    const kind = r.int(4);
    // Who makes the update: an end user, an agent, an admin, an automation (rule via) or the system.
    const actor: Actor =
      kind === 0 ? { userId: requesterId, role: 'end_user' } : kind === 1 ? { userId: 10 + r.int(3), role: 'agent' } : kind === 2 ? { userId: 20, role: 'admin' } : { userId: null, role: 'system' };
    const via = kind === 3 ? viaOf('rule', r.pick(['automation', 'trigger'])) : viaOf(r.pick(CHANNELS));
    const events: TicketEvent[] = [];
    const n = 1 + r.int(4);
    for (let i = 0; i < n; i++) {
      const what = r.int(22);
      switch (what) {
        case 0:
        case 1:
        case 2: {
          const mail = r.chance(0.5) ? { mailId: `m${u}`, messageId: r.chance(0.6) ? r.pick(messageIds) : `<${seed}-${u}-${i}@x.test>`, recipients: [], supportAddress: 'support@x.test' } : null;
          const authorId = r.chance(0.8) && actor.userId !== null ? actor.userId : r.pick([requesterId, 10, 11, 20]);
          events.push({
            type: 'ticket.comment_added',
            data: {
              ticketId,
              commentId: ++commentId,
              authorId,
              body: r.chance(0.15) ? '' : `Body ${commentId}`,
              htmlBody: `<p>Body ${commentId}</p>`,
              public: r.chance(0.6),
              attachments: r.chance(0.2) ? [{ id: 'att', fileName: 'a.txt', contentType: 'text/plain', size: 3, contentId: null, inline: false }] : [],
              via,
              mail,
              // A comment's own instant is the update's, but not always (imports, older events).
              createdAt: r.chance(0.8) ? at : new Date(clock - 500).toISOString(),
            },
          });
          break;
        }
        case 3:
        case 4:
        case 5: {
          const to = r.pick(STATUSES.filter((s) => s !== status));
          events.push({ type: 'ticket.status_changed', data: { ticketId, from: status, to } });
          status = to;
          break;
        }
        case 6: {
          const to = r.pick(PRIORITIES.filter((p) => p !== priority));
          events.push({ type: 'ticket.priority_changed', data: { ticketId, from: priority, to } });
          priority = to;
          break;
        }
        case 7: {
          const to = r.pick(TYPES.filter((t) => t !== type));
          events.push({ type: 'ticket.type_changed', data: { ticketId, from: type, to } });
          type = to;
          break;
        }
        case 8: {
          const to = `Subject ${r.int(100)}!`;
          events.push({ type: 'ticket.subject_changed', data: { ticketId, from: subject, to } });
          subject = to;
          break;
        }
        case 9: {
          const to = r.chance(0.3) ? null : 1 + r.int(3);
          events.push({ type: 'ticket.group_changed', data: { ticketId, from: groupId, to } });
          groupId = to;
          break;
        }
        case 10: {
          const to = r.chance(0.3) ? null : 10 + r.int(3);
          events.push({ type: 'ticket.assignee_changed', data: { ticketId, from: assigneeId, to } });
          assigneeId = to;
          break;
        }
        case 11: {
          const to = 100 + r.int(3);
          events.push({ type: 'ticket.requester_changed', data: { ticketId, from: requesterId, to } });
          requesterId = to;
          break;
        }
        case 12: {
          const next = r.chance(0.5) ? [...tags, `t${r.int(5)}`] : tags.slice(1);
          events.push({ type: 'ticket.tags_changed', data: { ticketId, added: next.filter((t) => !tags.includes(t)), removed: tags.filter((t) => !next.includes(t)), tags: next } });
          tags = next;
          break;
        }
        case 13: {
          const next = r.chance(0.5) ? [...ccIds, 200 + r.int(5)] : ccIds.slice(1);
          events.push({ type: 'ticket.ccs_changed', data: { ticketId, added: next.filter((c) => !ccIds.includes(c)), removed: ccIds.filter((c) => !next.includes(c)), ccIds: next } });
          ccIds = next;
          break;
        }
        case 14:
          events.push({ type: 'ticket.trigger_fired', data: { ticketId, triggerId: 't1', title: 'T', ...(r.chance(0.5) ? { kind: 'automation' as const } : {}), actions: [] } });
          break;
        case 15:
          events.push({ type: 'ticket.notification_requested', data: { ticketId, notificationId: `n${u}${i}`, rule: { kind: 'trigger', id: 't1', title: 'T' }, recipientIds: [requesterId], suppressed: [], subject: 's', body: 'b' } });
          break;
        case 16:
          events.push(
            r.chance(0.5)
              ? { type: 'ticket.notification_delivered', data: { ticketId, notificationId: 'n', to: ['a@x.test'], messageId: '<o@x>', relayResponse: '250', deliveredAt: at } }
              : { type: 'ticket.notification_failed', data: { ticketId, notificationId: 'n', to: ['a@x.test'], error: 'e', permanent: r.chance(0.5), failedAt: at } },
          );
          break;
        case 17:
          events.push(
            r.pick<TicketEvent>([
              { type: 'ticket.webhook_requested', data: { ticketId, requestId: `w${u}`, webhookId: 'wh', rule: { kind: 'trigger', id: 't1', title: 'T' }, body: '{}' } },
              { type: 'ticket.webhook_delivered', data: { ticketId, requestId: `w${u}`, webhookId: 'wh', endpoint: 'https://x.test', statusCode: 200, attempts: 1, deliveredAt: at } },
              { type: 'ticket.webhook_failed', data: { ticketId, requestId: `w${u}`, webhookId: 'wh', endpoint: 'https://x.test', statusCode: 500, error: 'e', attempts: 3, failedAt: at } },
              { type: 'ticket.mail_command_refused', data: { ticketId, commentId, command: 'status', value: 'x', error: 'e' } },
              {
                type: 'ticket.delivery_bounced',
                data: { ticketId, mailId: 'm', address: 'a@x.test', userId: requesterId, permanent: true, action: 'failed', status: '5.1.1', diagnostic: 'd', originalMessageId: null, undeliverable: true, softBounces: 0, bouncedAt: at },
              } as unknown as TicketEvent,
            ]),
          );
          break;
        case 18:
        case 19:
          // The decider offers an unoffered ticket only; a repeat now and then, as older logs may hold.
          if (!offered && !rated ? true : r.chance(0.2)) {
            events.push({ type: 'ticket.satisfaction_offered', data: { ticketId, requesterId, rule: { kind: 'automation', id: 'a1', title: 'Survey' } } });
            offered = true;
          }
          break;
        default: {
          if (!offered && r.chance(0.7)) break;
          const score = r.pick(['good', 'bad'] as const);
          events.push({ type: 'ticket.satisfaction_rated', data: { ticketId, ratingId: ticketId, requesterId, score, comment: r.chance(0.5) ? `Because ${u}` : null, previousScore: 'offered', ratedAt: r.chance(0.7) ? at : new Date(clock - 200).toISOString() } });
          rated = true;
        }
      }
    }
    if (events.length) update(events, { actor, via, occurredAt: at });
  }
  return out;
};
