import {
  RECIPIENT_ADDRESSES_STREAM,
  type Actor,
  type NewMessage,
  type RecipientAddressCreatedV1,
  type RecipientAddressDeletedV1,
  type RecipientAddressUpdatedV1,
} from '@mailroom/contracts';
import type { Db } from '@mailroom/database';
import { EventStore, ExpectedVersionConflict } from '@mailroom/event-store';
import { isWildcardAddress, splitPlusAddress, supportAddressProblem, WILDCARD_PREFIX, type SupportAddress } from '@mailroom/mail-domain';

/** A row of email_channel.recipient_addresses. */
export interface RecipientAddressRecord {
  id: number;
  email: string;
  name: string;
  isDefault: boolean;
  createdAt: string;
  updatedAt: string;
}

/** Why a change was refused; the API turns it into Zendesk's 422 (or 404). */
export type RecipientAddressRefusal =
  | { kind: 'invalid'; field: 'email' | 'name' | 'default'; description: string }
  | { kind: 'not_found' };

export type RecipientAddressResult = { ok: true; address: RecipientAddressRecord } | { ok: false; refusal: RecipientAddressRefusal };

export interface RecipientAddressInput {
  email?: unknown;
  name?: unknown;
  default?: unknown;
}

interface Row {
  id: string;
  email: string;
  name: string;
  is_default: boolean;
  created_at: Date;
  updated_at: Date;
}

const toRecord = (r: Row): RecipientAddressRecord => ({
  id: Number(r.id),
  email: r.email,
  name: r.name,
  isDefault: r.is_default,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

export const toSupportAddress = (r: RecipientAddressRecord): SupportAddress => ({ address: r.email, name: r.name, isDefault: r.isDefault });

const invalid = (field: 'email' | 'name' | 'default', description: string): RecipientAddressResult => ({ ok: false, refusal: { kind: 'invalid', field, description } });

const MAX_NAME = 255;

const cleanName = (raw: unknown): { ok: true; name: string } | { ok: false; description: string } => {
  if (raw === undefined || raw === null) return { ok: true, name: '' };
  if (typeof raw !== 'string') return { ok: false, description: 'Name: must be text' };
  const name = raw.replace(/[\r\n\t]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (name.length > MAX_NAME) return { ok: false, description: `Name: is too long (at most ${MAX_NAME} characters)` };
  return { ok: true, name };
};

const SELECT = `SELECT id, email, name, is_default, created_at, updated_at FROM email_channel.recipient_addresses`;

/**
 * True when the email is a support address, exactly or through a wildcard entry for its domain,
 * in any case and also plus-addressed (`support+x@…` is delivered to `support@…`, so a user with it
 * would be mailed by us into our own mailbox). Users may not have such an email (mail loop safety,
 * reference §5.1): the user check calls this.
 */
export const isClaimedBySupportAddress = async (db: Db, email: string): Promise<boolean> => {
  const address = splitPlusAddress(email.trim()).base;
  const at = address.lastIndexOf('@');
  if (at < 0) return false;
  const rows = await db.query(`SELECT 1 FROM email_channel.recipient_addresses WHERE email = $1 OR email = $2 LIMIT 1`, [address, WILDCARD_PREFIX + address.slice(at + 1)]);
  return rows.length > 0;
};

/**
 * Support addresses: rows in email_channel.recipient_addresses, each change an event in the
 * `recipient-addresses` stream written in the same transaction (with the stream's version as the
 * concurrency check, so two admins cannot both make a different address the default).
 */
export class RecipientAddresses {
  constructor(private readonly store: EventStore) {}

  async list(db: Db): Promise<RecipientAddressRecord[]> {
    return (await db.query<Row>(`${SELECT} ORDER BY id`)).map(toRecord);
  }

  async byId(db: Db, id: number): Promise<RecipientAddressRecord | null> {
    const rows = await db.query<Row>(`${SELECT} WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** The stream's version: it changes with every change of any address. */
  async version(db: Db): Promise<number> {
    return this.store.streamVersion(db, RECIPIENT_ADDRESSES_STREAM);
  }

  /**
   * Seeds the table from MAILROOM_SUPPORT_ADDRESSES (first = default) when the stream has never
   * existed. Afterwards the API owns the addresses: a restart with another setting changes nothing.
   * Several services may start at once; the stream's `no_stream` check lets exactly one seed.
   */
  async seed(db: Db, configured: readonly SupportAddress[], now: string): Promise<boolean> {
    if ((await this.version(db)) > 0) return false;
    try {
      return await db.transaction(async (tx) => {
        const events: NewMessage[] = [];
        const created: RecipientAddressCreatedV1[] = [];
        for (const a of configured) {
          const [{ id }] = await tx.query<{ id: string }>(`SELECT nextval(pg_get_serial_sequence('email_channel.recipient_addresses', 'id')) AS id`);
          const data: RecipientAddressCreatedV1 = { id: Number(id), email: a.address, name: a.name, default: a.isDefault, createdAt: now, source: 'configuration' };
          created.push(data);
          events.push({ type: 'recipient_address.created', data });
        }
        // The append claims the stream first; a second seeder waits here and then gets a conflict.
        await this.store.append(tx, RECIPIENT_ADDRESSES_STREAM, 'recipient_addresses', 'no_stream', events, { actor: { userId: null, role: 'system' }, occurredAt: now });
        for (const d of created) {
          await tx.query(
            `INSERT INTO email_channel.recipient_addresses (id, email, name, is_default, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)`,
            [d.id, d.email, d.name, d.default, now],
          );
        }
        return true;
      });
    } catch (err) {
      if (err instanceof ExpectedVersionConflict) return false;
      throw err;
    }
  }

  async create(tx: Db, input: RecipientAddressInput, actor: Actor, now: string): Promise<RecipientAddressResult> {
    if (typeof input.email !== 'string' || input.email.trim() === '') return invalid('email', 'Email: cannot be blank');
    const email = input.email.trim().replace(/^<(.*)>$/, '$1').trim().toLowerCase();
    const problem = supportAddressProblem(email);
    if (problem) return invalid('email', `Email: ${email} ${problem}`);
    const name = cleanName(input.name);
    if (!name.ok) return invalid('name', name.description);
    if (input.default !== undefined && typeof input.default !== 'boolean') return invalid('default', 'Default: must be true or false');
    const makeDefault = input.default === true;
    if (makeDefault && isWildcardAddress(email)) return invalid('default', 'Default: a wildcard address cannot be the default, because the default sends mail');

    const version = await this.version(tx);
    const existing = await tx.query(`SELECT 1 FROM email_channel.recipient_addresses WHERE email = $1`, [email]);
    if (existing.length) return invalid('email', `Email: ${email} is already a support address`);
    const userConflict = await this.userWithEmail(tx, email);
    if (userConflict) return invalid('email', `Email: ${userConflict} belongs to a user; a support address cannot also be a user's email (it would loop mail back)`);

    const [{ id }] = await tx.query<{ id: string }>(`SELECT nextval(pg_get_serial_sequence('email_channel.recipient_addresses', 'id')) AS id`);
    const data: RecipientAddressCreatedV1 = { id: Number(id), email, name: name.name, default: makeDefault, createdAt: now, source: 'api' };
    await this.store.append(tx, RECIPIENT_ADDRESSES_STREAM, 'recipient_addresses', version, [{ type: 'recipient_address.created', data }], { actor, occurredAt: now });
    if (makeDefault) await tx.query(`UPDATE email_channel.recipient_addresses SET is_default = false, updated_at = $1 WHERE is_default`, [now]);
    await tx.query(
      `INSERT INTO email_channel.recipient_addresses (id, email, name, is_default, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)`,
      [data.id, email, name.name, makeDefault, now],
    );
    return { ok: true, address: (await this.byId(tx, data.id))! };
  }

  /** Name and default can change; the email cannot (Zendesk: add the new address, delete the old). */
  async update(tx: Db, id: number, input: RecipientAddressInput, actor: Actor, now: string): Promise<RecipientAddressResult> {
    const version = await this.version(tx);
    const current = await this.byId(tx, id);
    if (!current) return { ok: false, refusal: { kind: 'not_found' } };
    if (input.email !== undefined && (typeof input.email !== 'string' || input.email.trim().toLowerCase() !== current.email)) {
      return invalid('email', 'Email: cannot be changed; add the new address and delete this one');
    }
    const change: RecipientAddressUpdatedV1 = { id, updatedAt: now };
    if (input.name !== undefined) {
      const name = cleanName(input.name);
      if (!name.ok) return invalid('name', name.description);
      if (name.name !== current.name) change.name = name.name;
    }
    if (input.default !== undefined) {
      if (typeof input.default !== 'boolean') return invalid('default', 'Default: must be true or false');
      if (input.default && !current.isDefault) {
        if (isWildcardAddress(current.email)) return invalid('default', 'Default: a wildcard address cannot be the default, because the default sends mail');
        change.default = true;
      }
      if (!input.default && current.isDefault) return invalid('default', 'Default: there must be a default address; make another address the default instead');
    }
    if (change.name === undefined && change.default === undefined) return { ok: true, address: current };
    await this.store.append(tx, RECIPIENT_ADDRESSES_STREAM, 'recipient_addresses', version, [{ type: 'recipient_address.updated', data: change }], { actor, occurredAt: now });
    if (change.default) await tx.query(`UPDATE email_channel.recipient_addresses SET is_default = false, updated_at = $1 WHERE is_default`, [now]);
    await tx.query(
      `UPDATE email_channel.recipient_addresses SET name = COALESCE($2, name), is_default = is_default OR $3, updated_at = $4 WHERE id = $1`,
      [id, change.name ?? null, change.default === true, now],
    );
    return { ok: true, address: (await this.byId(tx, id))! };
  }

  /** The default cannot be deleted: some address has to send mail for tickets from other channels. */
  async delete(tx: Db, id: number, actor: Actor, now: string): Promise<RecipientAddressResult> {
    const version = await this.version(tx);
    const current = await this.byId(tx, id);
    if (!current) return { ok: false, refusal: { kind: 'not_found' } };
    if (current.isDefault) return invalid('default', 'Default: the default support address cannot be deleted; make another address the default first');
    const data: RecipientAddressDeletedV1 = { id, email: current.email, deletedAt: now };
    await this.store.append(tx, RECIPIENT_ADDRESSES_STREAM, 'recipient_addresses', version, [{ type: 'recipient_address.deleted', data }], { actor, occurredAt: now });
    await tx.query(`DELETE FROM email_channel.recipient_addresses WHERE id = $1`, [id]);
    return { ok: true, address: current };
  }

  /** A user email the address would claim: the address itself, or for a wildcard any email at its domain. */
  private async userWithEmail(db: Db, email: string): Promise<string | null> {
    const rows = isWildcardAddress(email)
      ? await db.query<{ email: string }>(`SELECT email FROM ticket.user_emails WHERE email LIKE $1 ESCAPE '\\' ORDER BY email LIMIT 1`, [
          '%@' + email.slice(WILDCARD_PREFIX.length).replace(/[\\%_]/g, (c) => `\\${c}`),
        ])
      : await db.query<{ email: string }>(`SELECT email FROM ticket.user_emails WHERE email = $1`, [email]);
    return rows[0]?.email ?? null;
  }
}
