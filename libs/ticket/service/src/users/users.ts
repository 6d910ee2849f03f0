import { userStreamId, type Actor, type UserEmailBouncedV1, type UserRole, type UserUpdatedV1 } from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { EventStore } from '@mailroom/event-store';
import { isClaimedBySupportAddress } from '@mailroom/support-addresses';
import { countBounce } from '@mailroom/ticket-domain';
import { applyToReadModel } from '../read-model/ticket-projection';

export interface UserRecord {
  id: number;
  name: string;
  email: string | null;
  role: UserRole;
  active: boolean;
  verified: boolean;
  created_at: string;
  updated_at: string;
  /** The email bounced (hard, or ten soft bounces) and is not mailed; an agent can clear it. */
  undeliverable?: boolean;
  /** When the email was marked undeliverable (Mailroom's extension), null while deliverable. */
  email_undeliverable_at?: string | null;
  /** Soft bounces counted since the email was last deliverable (Mailroom's extension). */
  email_soft_bounces?: number;
  /** The user's organization (by email domain at creation, or set through the API). */
  organization_id?: number | null;
}

export interface UserChanges {
  name?: string;
  role?: UserRole;
  organizationId?: number | null;
  /** false: an agent marks the email deliverable again (true marks it undeliverable by hand). */
  undeliverable?: boolean;
}

export class UserInputError extends Error {
  constructor(message: string, readonly field?: string) {
    super(message);
  }
}

const EMAIL = /^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/;

/** Users: one stream each, a unique email guarded by a row written in the same transaction. */
export class Users {
  constructor(private readonly store: EventStore) {}

  async byId(db: Db, id: number): Promise<UserRecord | null> {
    const rows = await db.query<{ data: UserRecord }>(`SELECT data FROM ticket.users WHERE id = $1`, [id]);
    return rows[0]?.data ?? null;
  }

  async byEmail(db: Db, email: string): Promise<UserRecord | null> {
    const rows = await db.query<{ data: UserRecord }>(
      `SELECT u.data FROM ticket.user_emails e JOIN ticket.users u ON u.id = e.user_id WHERE e.email = $1`,
      [email.trim().toLowerCase()],
    );
    return rows[0]?.data ?? null;
  }

  async list(db: Db, page: number, perPage: number, role?: string): Promise<{ users: UserRecord[]; count: number }> {
    const where = role ? `WHERE role = $3` : '';
    const params: unknown[] = [perPage, (page - 1) * perPage];
    if (role) params.push(role);
    const rows = await db.query<{ data: UserRecord }>(`SELECT data FROM ticket.users ${where} ORDER BY id LIMIT $1 OFFSET $2`, params);
    const [{ n }] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ticket.users ${role ? 'WHERE role = $1' : ''}`, role ? [role] : []);
    return { users: rows.map((r) => r.data), count: Number(n) };
  }

  /** Creates a user; with an email that exists already, returns that user (`created: false`). */
  async create(tx: Db, input: { name?: string | null; email: string | null; role: UserRole; organizationId?: number | null }, actor: Actor, now: string): Promise<{ user: UserRecord; created: boolean }> {
    const email = input.email?.trim().toLowerCase() ?? null;
    if (email !== null && !EMAIL.test(email)) throw new UserInputError(`Email: ${input.email} is not properly formatted`, 'email');
    // Mail loop safety (reference §5.1): a user's email is never one of our support addresses.
    if (email !== null && (await isClaimedBySupportAddress(tx, email))) {
      throw new UserInputError(`Email: ${email} is a support address and cannot belong to a user`, 'email');
    }
    const name = (input.name ?? '').trim() || (email ? email.split('@')[0] : '');
    if (!name) throw new UserInputError('Name: cannot be blank', 'name');
    if (name.length > 255) throw new UserInputError('Name: is too long (at most 255 characters)', 'name');
    const [{ id }] = await tx.query<{ id: string }>(`SELECT nextval('ticket.user_ids') AS id`);
    const userId = Number(id);
    if (email) {
      const claimed = await tx.query(`INSERT INTO ticket.user_emails (email, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`, [email, userId]);
      if (claimed.length === 0) {
        const existing = await this.byEmail(tx, email);
        if (existing) return { user: existing, created: false };
        throw new Error(`email ${email} is claimed but its user is missing`);
      }
    }
    const { messages } = await this.store.append(
      tx,
      userStreamId(userId),
      'user',
      'no_stream',
      [{ type: 'user.created', data: { userId, name, email, role: input.role, organizationId: input.organizationId !== undefined ? input.organizationId : await this.organizationForEmail(tx, email), createdAt: now } }],
      { actor, occurredAt: now },
    );
    await applyToReadModel(tx, messages);
    return { user: (await this.byId(tx, userId))!, created: true };
  }

  /** Zendesk's user mapping: the organization whose domain_names hold the address's domain. */
  async organizationForEmail(db: Db, email: string | null): Promise<number | null> {
    const domain = email ? email.slice(email.lastIndexOf('@') + 1) : '';
    if (!domain) return null;
    const rows = await db.query<{ organization_id: string }>(`SELECT organization_id FROM ticket.organization_domains WHERE domain = $1`, [domain]);
    return rows.length ? Number(rows[0].organization_id) : null;
  }

  /** Records what changed about a user (nothing changed: no event); checks the stream version. */
  async update(tx: Db, userId: number, changes: UserChanges, actor: Actor, now: string): Promise<UserRecord | null> {
    const current = await this.byId(tx, userId);
    if (!current) return null;
    const data: UserUpdatedV1 = { userId, updatedAt: now };
    if (changes.name !== undefined) {
      const name = changes.name.trim();
      if (!name) throw new UserInputError('Name: cannot be blank', 'name');
      if (name.length > 255) throw new UserInputError('Name: is too long (at most 255 characters)', 'name');
      if (name !== current.name) data.name = name;
    }
    if (changes.role !== undefined && changes.role !== current.role) data.role = changes.role;
    if (changes.organizationId !== undefined && changes.organizationId !== (current.organization_id ?? null)) data.organizationId = changes.organizationId;
    if (changes.undeliverable !== undefined && changes.undeliverable !== !!current.undeliverable) data.undeliverable = changes.undeliverable;
    if (Object.keys(data).length === 2) return current;
    const version = await this.store.streamVersion(tx, userStreamId(userId));
    const { messages } = await this.store.append(tx, userStreamId(userId), 'user', version, [{ type: 'user.updated', data }], { actor, occurredAt: now });
    await applyToReadModel(tx, messages);
    return this.byId(tx, userId);
  }

  /**
   * Counts a bounce of mail to the user's email (hard: undeliverable at once; soft: after ten,
   * see bounces.ts) and records it on the user's stream. Returns whether the email is undeliverable now.
   */
  async recordBounce(
    tx: Db,
    user: UserRecord,
    bounce: Pick<UserEmailBouncedV1, 'permanent' | 'status' | 'diagnostic' | 'ticketId' | 'mailId' | 'bouncedAt' | 'originalMessageId'>,
    actor: Actor,
    now: string,
  ): Promise<{ undeliverable: boolean }> {
    // The same report again (a replayed command) counts nothing more.
    const seen = await tx.query<{ undeliverable: boolean }>(
      `SELECT (data->>'undeliverable')::boolean AS undeliverable FROM mailroom_events.messages WHERE stream_id = $1 AND type = 'user.email_bounced' AND data->>'mailId' = $2 LIMIT 1`,
      [userStreamId(user.id), bounce.mailId],
    );
    if (seen.length) return { undeliverable: seen[0].undeliverable };
    // A second report about the same mail (delayed, then failed) is not a second soft bounce, as
    // long as the address was not marked deliverable since the first.
    const again =
      !bounce.permanent && bounce.originalMessageId
        ? (
            await tx.query(
              `SELECT 1 FROM mailroom_events.messages b
                WHERE b.stream_id = $1 AND b.type = 'user.email_bounced' AND b.data->>'originalMessageId' = $2 AND NOT (b.data->>'permanent')::boolean
                  AND NOT EXISTS (SELECT 1 FROM mailroom_events.messages u WHERE u.stream_id = $1 AND u.type = 'user.updated' AND u.stream_version > b.stream_version AND u.data->>'undeliverable' = 'false')
                LIMIT 1`,
              [userStreamId(user.id), bounce.originalMessageId],
            )
          ).length > 0
        : false;
    const outcome = countBounce({ undeliverable: !!user.undeliverable, softBounces: user.email_soft_bounces ?? 0 }, { permanent: bounce.permanent, again });
    const data: UserEmailBouncedV1 = { userId: user.id, email: user.email ?? '', ...bounce, softBounces: outcome.softBounces, undeliverable: outcome.undeliverable };
    const version = await this.store.streamVersion(tx, userStreamId(user.id));
    const { messages } = await this.store.append(tx, userStreamId(user.id), 'user', version, [{ type: 'user.email_bounced', data }], { actor, occurredAt: now });
    await applyToReadModel(tx, messages);
    return { undeliverable: outcome.undeliverable };
  }

  async findOrCreate(tx: Db, person: { email: string; name?: string | null }, actor: Actor, now: string): Promise<UserRecord> {
    return (await this.byEmail(tx, person.email)) ?? (await this.create(tx, { ...person, role: 'end_user' }, actor, now)).user;
  }
}
