/** Polls until `probe` returns something other than undefined/false, or fails after the timeout with the description. */
export const eventually = async <T>(probe: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 20000, everyMs = 50): Promise<T> => {
  const until = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > until) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
};

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
