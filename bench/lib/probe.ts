// Preloaded into each service process the benchmark starts (`node -r … -r dist/bench/lib/probe.js`):
// answers the benchmark's "counters?" over the IPC channel with what this process's brokers
// counted. Needs no change to the services; a process started without the channel ignores it.
import type { brokerCounters as Counters } from '@mailroom/messaging';

interface Ask {
  type: 'bench-counters?';
}

if (process.send) {
  process.on('message', (m: Ask) => {
    if (m?.type !== 'bench-counters?') return;
    // Required when asked, not at preload: the service has loaded the module by then, and the
    // same instance is the one counting.
    const { brokerCounters } = require('@mailroom/messaging') as { brokerCounters: typeof Counters };
    process.send!({ type: 'bench-counters', published: brokerCounters.published, delivered: { ...brokerCounters.delivered } });
  });
  // The channel must not keep a service alive when it is told to stop.
  process.channel?.unref();
}

// BENCH_QUERY_LOG=<dir>: counts this process's PostgreSQL statements by their text and writes the
// counts to <dir>/<pid>.json when it stops (for finding round trips per mail; bench/README.md).
if (process.env.BENCH_QUERY_LOG) {
  const dir = process.env.BENCH_QUERY_LOG;
  const counts = new Map<string, number>();
  const pg = require('pg') as { Client: { prototype: { query: (...args: unknown[]) => unknown } } };
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0];
    const text = typeof q === 'string' ? q : ((q as { text?: string })?.text ?? '?');
    const key = text.replace(/\s+/g, ' ').trim().slice(0, 120);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return original.apply(this, args);
  };
  const dump = () => {
      const fs = require('node:fs') as typeof import('node:fs');
    fs.writeFileSync(`${dir}/${process.argv[process.argv.length - 1].replace(/\W+/g, '_')}-${process.pid}.json`, JSON.stringify(Object.fromEntries([...counts].sort((a, b) => b[1] - a[1])), null, 1));
  };
  process.on('exit', dump);
}
