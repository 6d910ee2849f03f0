// Entry of a parser thread (see parser-pool.ts): parses one mail per message, answers with the
// outcome. Nothing here holds state between mails; the pool kills and replaces a thread that
// overruns its time budget or dies.
import { parentPort } from 'node:worker_threads';
import { runParseJob, type ParseJobOptions } from './parse-job';

export interface ParseRequest {
  jobId: number;
  raw: Uint8Array;
  envelopeFrom: string | null;
  options: ParseJobOptions;
}

export type ParseReply =
  | { ready: true }
  | { jobId: number; ok: true; result: Awaited<ReturnType<typeof runParseJob>> }
  | { jobId: number; ok: false; error: string };

const port = parentPort;
if (port) {
  port.on('message', (req: ParseRequest) => {
    const raw = Buffer.from(req.raw.buffer, req.raw.byteOffset, req.raw.byteLength);
    runParseJob(raw, req.envelopeFrom, req.options).then(
      (result) => port.postMessage({ jobId: req.jobId, ok: true, result } satisfies ParseReply),
      (err: unknown) => port.postMessage({ jobId: req.jobId, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies ParseReply),
    );
  });
  // Loaded (mailparser and the sanitiser included): the pool starts the time budget from here.
  port.postMessage({ ready: true } satisfies ParseReply);
}
