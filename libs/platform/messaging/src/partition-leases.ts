import { hostname } from 'node:os';
import { Client } from 'pg';

/**
 * Leases in a different class from the forwarder's (7261002) and the migrator's single-key lock.
 * The second key is a partition number, or MEMBER_BASE + a member slot.
 */
const MEMBER_BASE = 1_000_000;
const MAX_MEMBERS = 4096;

/** What a consumer group does when this process gains or loses one of its partitions. */
export interface PartitionHandler {
  /** Start consuming the partition; the lease is held. A throw releases it and tries again later. */
  start(partition: number): Promise<void>;
  /** Stop consuming (cancel, let what is in flight finish and be acked); the lease is released after. */
  stop(partition: number): Promise<void>;
}

/**
 * The partitions of one consumer group each member should hold, given the members' slots: with n
 * members in slot order, the member of rank r holds the partitions p with p mod n = r. Shares
 * differ by at most one, and the same inputs give the same answer in every process.
 */
export const partitionsFor = (partitions: number, memberSlots: readonly number[], mySlot: number): number[] => {
  const sorted = [...new Set(memberSlots)].sort((a, b) => a - b);
  const rank = sorted.indexOf(mySlot);
  if (rank < 0) return [];
  const out: number[] = [];
  for (let p = rank; p < partitions; p += sorted.length) out.push(p);
  return out;
};

/** A stable positive int4 for a group name (FNV-1a, top bit cleared): the advisory lock's first key. */
export const groupKey = (name: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h & 0x7fffffff;
};

interface Group {
  name: string;
  key: number;
  partitions: number;
  handler: PartitionHandler;
  slot: number | null;
  held: Set<number>;
}

export interface PartitionLeasesOptions {
  /** The leases' own connection is opened from this URL (one idle connection per process). */
  databaseUrl: string;
  /** Names this process in logs; default host/pid. */
  instance?: string;
  /** How often membership is looked at and partitions moved; a dead member's partitions move within about this. */
  checkEveryMs?: number;
  log?: (level: 'info' | 'warn' | 'error', msg: string) => void;
}

/**
 * Shares the partitions of consumer groups among the processes (replicas) that consume them
 * (DESIGN.md §4, README "Scaling out"). Each process holds one PostgreSQL connection for its
 * leases: a session advisory lock per member slot says "this replica is in the group", one per
 * partition says "this replica consumes it". Every `checkEveryMs` each replica reads the group's
 * members from `pg_locks`, works out its fair share ({@link partitionsFor}), gives up what it holds
 * beyond it (stops consuming first, then unlocks) and locks what it lacks (then starts consuming).
 *
 * A replica that dies loses its connection and with it every lock: the others see one member less
 * at their next check and take its partitions. Order holds across the move: the old holder has
 * acked or abandoned (to redelivery) everything it took before its lock is gone, and each
 * partition's queue has a single active consumer besides, so even a holder that has lost its
 * connection and not noticed yet cannot be active beside the new one. A replica whose lease
 * connection fails stops consuming every partition at once and joins again when it reconnects.
 */
export class PartitionLeases {
  readonly instance: string;
  private client: Client | null = null;
  private readonly groups: Group[] = [];
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly opts: PartitionLeasesOptions) {
    this.instance = opts.instance ?? `${hostname()}/${process.pid}`;
  }

  private log(level: 'info' | 'warn' | 'error', msg: string): void {
    this.opts.log?.(level, `partition leases (${this.instance}): ${msg}`);
  }

  /** Joins a consumer group of `partitions` partitions; partitions are started and stopped through `handler`. */
  join(name: string, partitions: number, handler: PartitionHandler): void {
    if (this.groups.some((g) => g.name === name)) throw new Error(`partition group ${name} joined twice`);
    this.groups.push({ name, key: groupKey(name), partitions, handler, slot: null, held: new Set() });
    this.kick();
  }

  /** The partitions of a group this process holds now. */
  held(name: string): number[] {
    return [...(this.groups.find((g) => g.name === name)?.held ?? [])].sort((a, b) => a - b);
  }

  /** Looks at membership now rather than at the next check. */
  kick(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.running) this.running = this.check().finally(() => {
      this.running = null;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.kick();
    }, this.opts.checkEveryMs ?? 500);
  }

  private async connect(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client({ connectionString: this.opts.databaseUrl, application_name: `mailroom-leases ${this.instance}`.slice(0, 63), keepAlive: true });
    client.on('error', (err) => this.log('warn', `lease connection error: ${err.message}`));
    await client.connect();
    this.client = client;
    return client;
  }

  /** The lease connection failed: every lock is gone with it, so nothing may be consumed until rejoined. */
  private async lost(reason: string): Promise<void> {
    const had = this.groups.some((g) => g.held.size > 0);
    if (had) this.log('warn', `lease connection lost (${reason}); stopping every partition until it is back`);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
    for (const g of this.groups) {
      for (const p of [...g.held]) {
        await g.handler.stop(p).catch((err) => this.log('error', `${g.name} partition ${p}: stop failed: ${(err as Error).message}`));
        g.held.delete(p);
      }
      g.slot = null;
    }
  }

  private async check(): Promise<void> {
    if (this.stopped) return;
    let client: Client;
    try {
      client = await this.connect();
    } catch (err) {
      this.log('warn', `cannot reach PostgreSQL for leases: ${(err as Error).message}`);
      return;
    }
    try {
      for (const g of this.groups) if (g.slot === null) g.slot = await this.takeSlot(client, g);
      const rows = (
        await client.query<{ g: string; o: string }>(
          `SELECT classid::bigint AS g, objid::bigint AS o FROM pg_locks
            WHERE locktype = 'advisory' AND objsubid = 2 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND classid::bigint = ANY($1::bigint[]) AND objid::bigint >= $2`,
          [this.groups.map((g) => g.key), MEMBER_BASE],
        )
      ).rows;
      for (const g of this.groups) {
        if (this.stopped) return;
        const members = rows.filter((r) => Number(r.g) === g.key).map((r) => Number(r.o) - MEMBER_BASE);
        const want = new Set(partitionsFor(g.partitions, members, g.slot as number));
        for (const p of [...g.held]) {
          if (want.has(p)) continue;
          await g.handler.stop(p);
          await client.query('SELECT pg_advisory_unlock($1::int, $2::int)', [g.key, p]);
          g.held.delete(p);
          this.log('info', `${g.name}: gave partition ${p} up`);
        }
        for (const p of want) {
          if (g.held.has(p)) continue;
          const got = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::int, $2::int) AS ok', [g.key, p])).rows[0]?.ok;
          if (!got) continue; // its holder has not given it up yet: next check
          try {
            await g.handler.start(p);
            g.held.add(p);
            this.log('info', `${g.name}: took partition ${p}`);
          } catch (err) {
            await client.query('SELECT pg_advisory_unlock($1::int, $2::int)', [g.key, p]);
            this.log('warn', `${g.name}: could not start partition ${p}: ${(err as Error).message}`);
          }
        }
      }
    } catch (err) {
      await this.lost((err as Error).message);
    }
  }

  private async takeSlot(client: Client, g: Group): Promise<number> {
    for (let slot = 0; slot < MAX_MEMBERS; slot++) {
      const got = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::int, $2::int) AS ok', [g.key, MEMBER_BASE + slot])).rows[0]?.ok;
      if (got) return slot;
    }
    throw new Error(`${g.name}: more than ${MAX_MEMBERS} members`);
  }

  /** Stops every partition (what is in flight finishes), gives the leases up and closes the connection. */
  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    for (const g of this.groups) {
      for (const p of [...g.held]) {
        await g.handler.stop(p).catch(() => undefined);
        g.held.delete(p);
      }
    }
    // Ending the session releases every lock at once.
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }
}
