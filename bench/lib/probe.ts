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
