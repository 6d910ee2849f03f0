// CPU time per process from /proc (Linux): the services, the naive baseline, and PostgreSQL's and
// RabbitMQ's own processes, read before and after a phase.
import { readdirSync, readFileSync } from 'node:fs';
import { parseProcStat } from './figures';

/** Clock ticks per second of /proc/<pid>/stat; 100 on every Linux this runs on (getconf CLK_TCK). */
const CLK_TCK = 100;

/** CPU seconds a live process has used so far (user + system), or null when it is gone. */
export const cpuSeconds = (pid: number): number | null => {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).self / CLK_TCK;
  } catch {
    return null;
  }
};

const comm = (pid: number): string | null => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
};

const parentOf = (pid: number): number | null => {
  try {
    const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(line.slice(line.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
};

const pids = (): number[] =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);

/**
 * All of PostgreSQL: every live postgres process plus what its finished children used (the
 * postmaster's cutime + cstime), so backends that ended during the phase still count. It is the
 * whole server: other databases' work on the same server is in it too.
 */
export const postgresCpuSeconds = (): number | null => {
  let ticks = 0;
  let found = false;
  for (const pid of pids()) {
    if (comm(pid) !== 'postgres') continue;
    try {
      const s = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      found = true;
      ticks += s.self;
      // The postmaster is the postgres process whose parent is not postgres.
      const parent = parentOf(pid);
      if (parent !== null && comm(parent) !== 'postgres') ticks += s.children;
    } catch {
      /* ended while reading */
    }
  }
  return found ? ticks / CLK_TCK : null;
};

/** CPU of the PostgreSQL backends serving these pids (from pg_stat_activity), the part attributable to one database. */
export const sumCpuSeconds = (list: number[]): Record<string, number | null> => Object.fromEntries(list.map((p) => [String(p), cpuSeconds(p)]));

/** The Erlang VM running RabbitMQ (beam.smp): all of the broker, other users' queues included. */
export const rabbitmqCpuSeconds = (): number | null => {
  let total: number | null = null;
  for (const pid of pids()) {
    if (comm(pid) !== 'beam.smp') continue;
    const c = cpuSeconds(pid);
    if (c !== null) total = (total ?? 0) + c;
  }
  return total;
};
