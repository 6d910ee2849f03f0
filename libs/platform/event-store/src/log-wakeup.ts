import { Client } from 'pg';

/**
 * LISTEN/NOTIFY as a wake-up hint only: appends notify `mailroom_events`, and sleeping log
 * processors in this process wake at once instead of waiting for their next poll. The log itself
 * stays the source of truth; a lost notification only costs one poll interval.
 */
export class LogWakeup {
  private client: Client | null = null;
  private readonly listeners = new Set<() => void>();
  private closed = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(private readonly databaseUrl: string) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    if (this.closed) return;
    const client = new Client({ connectionString: this.databaseUrl, connectionTimeoutMillis: 3000, application_name: 'mailroom-wakeup' });
    client.on('notification', () => this.listeners.forEach((l) => l()));
    client.on('error', () => this.reconnect());
    client.on('end', () => this.reconnect());
    try {
      await client.connect();
      await client.query('LISTEN mailroom_events');
      this.client = client;
    } catch {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.reconnect();
    }
  }

  private reconnect(): void {
    if (this.closed || this.retry) return;
    this.client = null;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.start();
    }, 1000);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const c = this.client;
    this.client = null;
    if (c) {
      c.removeAllListeners('end');
      await c.end().catch(() => undefined);
    }
  }
}
