import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SuspensionCause } from '@mailroom/mail-domain';
import { DEFAULT_PARSE_LIMITS, MailParseRefused, type ParseLimits } from './limits';
import type { ParsedMailResult } from './parse-job';
import type { ParseReply, ParseRequest } from './parse-thread';

export interface ParserPoolOptions {
  limits?: Partial<ParseLimits>;
  baseUrl: string;
  /** Parser threads; mail beyond that waits its turn (the broker's prefetch bounds the queue). */
  threads?: number;
  /** Heap of one parser thread; a mail that needs more is refused, the service lives on. */
  threadMemoryMb?: number;
}

interface Job {
  jobId: number;
  raw: Buffer;
  envelopeFrom: string | null;
  resolve(r: ParsedMailResult): void;
  reject(err: Error): void;
}

interface Thread {
  worker: Worker;
  ready: boolean;
  job: Job | null;
  timer: NodeJS.Timeout | null;
  gone: boolean;
}

/**
 * TypeScript sources (tests, tools run from source) cannot be a thread's entry as such: this
 * bootstrap compiles them with swc on the way in and resolves the workspace's path aliases, the
 * way jest does in the main thread. The compiled tree (dist/) starts the .js entry directly and
 * the thread inherits the process's `-r runtime-paths` hook.
 */
const TS_BOOTSTRAP = `
const Module = require('module');
const fs = require('fs');
const path = require('path');
const { workerData } = require('worker_threads');
const { transformSync } = require(workerData.swc);
const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(workerData.root, 'tsconfig.base.json'), 'utf8'));
const aliases = new Map(Object.entries(compilerOptions.paths).map(([a, [t]]) => [a, path.join(workerData.root, t)]));
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) { return resolve.call(this, aliases.get(request) || request, ...rest); };
Module._extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename, sourceMaps: false,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
require(workerData.entry);
`;

const workspaceRoot = (from: string): string => {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'tsconfig.base.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no tsconfig.base.json above ${from}`);
  }
};

/**
 * Parses mail on worker threads with a time budget per mail. mailparser and the HTML sanitiser
 * are synchronous for long stretches; on the main thread one hostile mail would stall every other
 * mail and the broker heartbeats with it. Here an overrun ends in `worker.terminate()` (which stops
 * even a busy loop), a fresh thread takes the next mail, and the mail is refused as
 * `content_processor_timed_out`. A thread that dies on a mail (out of memory, stack) refuses that
 * mail as `unprocessable_email`. A thread that cannot even start is an operator's problem: that is
 * a plain error, so the mail is retried later rather than suspended.
 */
export class ParserPool {
  private readonly limits: ParseLimits;
  private readonly size: number;
  private readonly threads = new Set<Thread>();
  private readonly queue: Job[] = [];
  private nextJobId = 1;
  private closed = false;

  constructor(private readonly opts: ParserPoolOptions) {
    this.limits = { ...DEFAULT_PARSE_LIMITS, ...opts.limits };
    this.size = Math.max(1, opts.threads ?? 2);
  }

  parse(raw: Buffer, envelopeFrom: string | null): Promise<ParsedMailResult> {
    if (this.closed) return Promise.reject(new Error('the parser pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ jobId: this.nextJobId++, raw, envelopeFrom, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the parser pool is closed'));
    await Promise.all([...this.threads].map((t) => this.retire(t, new Error('the parser pool is closed'))));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const idle = [...this.threads].find((t) => t.ready && !t.job && !t.gone);
      if (idle) {
        this.dispatch(idle, this.queue.shift()!);
        continue;
      }
      const starting = [...this.threads].some((t) => !t.ready && !t.gone);
      if (!starting && this.threads.size < this.size) this.spawn();
      return;
    }
  }

  private spawn(): void {
    const ext = path.extname(__filename);
    const entry = path.join(__dirname, `parse-thread${ext}`);
    const resourceLimits = { maxOldGenerationSizeMb: this.opts.threadMemoryMb ?? 512 };
    const worker =
      ext === '.ts'
        ? new Worker(TS_BOOTSTRAP, { eval: true, workerData: { entry, root: workspaceRoot(__dirname), swc: require.resolve('@swc/core') }, resourceLimits })
        : new Worker(entry, { resourceLimits });
    const thread: Thread = { worker, ready: false, job: null, timer: null, gone: false };
    this.threads.add(thread);
    worker.unref();
    worker.on('message', (reply: ParseReply) => {
      if ('ready' in reply) {
        thread.ready = true;
        this.pump();
      } else this.onReply(thread, reply);
    });
    worker.on('error', (err) => this.onDeath(thread, err));
    worker.on('exit', (code) => this.onDeath(thread, new Error(`parser thread exited with code ${code}`)));
  }

  private dispatch(thread: Thread, job: Job): void {
    thread.job = job;
    thread.worker.ref(); // a mail in progress keeps the process up
    thread.timer = setTimeout(() => {
      void this.retire(thread, new MailParseRefused('content_processor_timed_out', `parsing took longer than ${this.limits.parseTimeoutMs} ms`));
    }, this.limits.parseTimeoutMs);
    const req: ParseRequest = { jobId: job.jobId, raw: job.raw, envelopeFrom: job.envelopeFrom, options: { limits: this.limits, baseUrl: this.opts.baseUrl } };
    thread.worker.postMessage(req);
  }

  private onReply(thread: Thread, reply: Exclude<ParseReply, { ready: true }>): void {
    const job = thread.job;
    if (!job || job.jobId !== reply.jobId) return;
    this.release(thread);
    if (!reply.ok) job.reject(new MailParseRefused('unprocessable_email', `unparseable: ${reply.error}`));
    else if (!reply.result.ok) job.reject(new MailParseRefused(reply.result.cause as SuspensionCause, reply.result.reason));
    else {
      const r = reply.result.result;
      // Buffers arrive as plain Uint8Arrays on this side of the thread boundary.
      for (const a of r.attachments) a.content = Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength);
      job.resolve(r);
    }
    this.pump();
  }

  private release(thread: Thread): void {
    if (thread.timer) clearTimeout(thread.timer);
    thread.timer = null;
    thread.job = null;
    thread.worker.unref();
  }

  private onDeath(thread: Thread, err: Error): void {
    if (thread.gone) return;
    const job = thread.job;
    const wasReady = thread.ready;
    this.forget(thread);
    if (job) {
      job.reject(wasReady ? new MailParseRefused('unprocessable_email', `the parser gave up on this mail: ${err.message}`) : err);
    } else if (!wasReady) {
      // Could not start at all: fail what waits rather than spawn in a loop.
      for (const j of this.queue.splice(0)) j.reject(new Error(`the parser thread did not start: ${err.message}`));
    }
    if (!this.closed) this.pump();
  }

  private forget(thread: Thread): void {
    thread.gone = true;
    if (thread.timer) clearTimeout(thread.timer);
    thread.timer = null;
    this.threads.delete(thread);
  }

  private async retire(thread: Thread, reason: Error): Promise<void> {
    if (thread.gone) return;
    const job = thread.job;
    this.forget(thread);
    job?.reject(reason);
    await thread.worker.terminate().catch(() => undefined);
    if (!this.closed) this.pump();
  }
}
