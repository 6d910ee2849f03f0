/**
 * Sender authentication (SPF, DKIM, DMARC, ARC): whether a mail really comes from the domain in
 * its From header, and what Mailroom does about it under the account's policy. Pure: the results
 * are computed by ingest (mailauth, with an injected DNS resolver) or read from the
 * Authentication-Results header of a relay the operator trusts; this module only judges them.
 *
 * Why it matters: the From address decides who may run mail commands, thread by a subject number,
 * bring in CCs and comment publicly. Without authentication anyone can type an agent's address.
 */

/** Zendesk's email sender authentication setting, in Mailroom's words. */
export type SenderAuthPolicy =
  /** Nothing is checked; From is believed (only for a closed network that authenticates upstream). */
  | 'off'
  /** Mail claiming to be from an agent or admin, or from one of our support domains, must authenticate. */
  | 'agents'
  /** Every mail must authenticate; mail that authenticates without alignment is kept but flagged. */
  | 'all';

export const SENDER_AUTH_POLICIES: readonly SenderAuthPolicy[] = ['off', 'agents', 'all'];

/** RFC 8601 result words Mailroom keeps (anything else reads as `none`). */
export type AuthResultWord = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror' | 'policy';

const RESULT_WORDS: readonly AuthResultWord[] = ['pass', 'fail', 'softfail', 'neutral', 'none', 'temperror', 'permerror', 'policy'];
export const asResultWord = (value: unknown): AuthResultWord => {
  const v = String(value ?? '').toLowerCase();
  return (RESULT_WORDS as readonly string[]).includes(v) ? (v as AuthResultWord) : 'none';
};

/** What is known of a mail's authentication, whoever computed it. */
export interface SenderAuthResults {
  source: 'computed' | 'trusted_relay';
  spf: AuthResultWord;
  dkim: AuthResultWord;
  dmarc: AuthResultWord;
  arc: AuthResultWord;
  /** The From domain the results are about (lower-cased), null when From has none. */
  fromDomain: string | null;
  /** An SPF or DKIM pass for a domain aligned (relaxed) with From — DMARC's identifier alignment. */
  aligned: boolean;
  /** authserv-id of the relay, when the results are its own. */
  authservId?: string;
}

/** How the results read, independent of who the sender claims to be. */
export type AuthenticationOutcome =
  /** DMARC pass, or an aligned SPF/DKIM pass: the From domain sent it. */
  | 'pass'
  /** SPF or DKIM passed for some other domain, and the From domain publishes no DMARC policy that fails it. */
  | 'unaligned'
  /** A DNS lookup failed for the time being; nothing could be proved either way. */
  | 'temperror'
  /** DMARC fail, or nothing passed at all. */
  | 'fail';

export const authenticationOutcome = (r: SenderAuthResults): AuthenticationOutcome => {
  if (r.dmarc === 'pass' || r.aligned) return 'pass';
  if (r.dmarc === 'fail') return 'fail';
  if (r.dmarc === 'temperror' || r.spf === 'temperror' || r.dkim === 'temperror') return 'temperror';
  if (r.spf === 'pass' || r.dkim === 'pass') return 'unaligned';
  return 'fail';
};

/** Who the From address claims to be, as far as the policy cares. */
export interface ClaimedSender {
  /** From names an agent or admin of the account. */
  isStaff: boolean;
  /** From is in the domain of one of our support addresses (our own people, or a forgery of them). */
  isOwnDomain: boolean;
}

/** Whether a mail must authenticate under the policy (before any DNS lookup is spent on it). */
export const mustAuthenticate = (policy: SenderAuthPolicy, sender: ClaimedSender): boolean =>
  policy === 'all' || (policy === 'agents' && (sender.isStaff || sender.isOwnDomain));

export type SenderAuthDecision =
  | {
      kind: 'accept';
      /** Whether From is proved: agents' mail commands run only then. */
      authenticated: boolean;
      /** Zendesk's "potential spoofing" flag on the comment: passed, but not for the From domain. */
      potentialSpoofing: boolean;
      /** Why the sender is not proved (null when it is, or when nothing was checked). */
      note: string | null;
    }
  | { kind: 'suspend'; detail: string };

/**
 * The policy applied to one mail. `results` is null when nothing was checked (policy off, or the
 * sender needed no check).
 *
 * - A mail that must authenticate and fails (DMARC fail, or nothing passed) is suspended.
 * - Staff and own-domain mail must pass with alignment: an unaligned pass is a signature of some
 *   other domain, which anyone can get; it is suspended as well.
 * - Anyone else's unaligned pass (policy `all`) is kept and flagged as potential spoofing.
 * - temperror (DNS trouble) never loses mail and never grants rights: staff mail is suspended
 *   (an agent recovers it once the sender is known), anyone else's is kept and flagged.
 */
export const decideSenderAuthentication = (policy: SenderAuthPolicy, sender: ClaimedSender, results: SenderAuthResults | null): SenderAuthDecision => {
  if (policy === 'off') return { kind: 'accept', authenticated: true, potentialSpoofing: false, note: null };
  const privileged = sender.isStaff || sender.isOwnDomain;
  if (!mustAuthenticate(policy, sender)) return { kind: 'accept', authenticated: false, potentialSpoofing: false, note: null };
  // Nothing to go on (a trusted relay is configured but added no results of its own): nothing proves From.
  if (!results) return { kind: 'suspend', detail: 'no authentication results from the trusted relay for a sender that must authenticate' };
  const outcome = authenticationOutcome(results);
  const summary = `spf=${results.spf} dkim=${results.dkim} dmarc=${results.dmarc}${results.fromDomain ? ` for ${results.fromDomain}` : ''} (${results.source === 'trusted_relay' ? `as ${results.authservId} said` : 'checked here'})`;
  const who = sender.isStaff ? 'an agent' : 'our own domain';
  switch (outcome) {
    case 'pass':
      return { kind: 'accept', authenticated: true, potentialSpoofing: false, note: null };
    case 'fail':
      return { kind: 'suspend', detail: `sender authentication failed: ${summary}` };
    case 'unaligned':
      if (privileged) return { kind: 'suspend', detail: `mail from ${who} is not authenticated for the From domain: ${summary}` };
      return { kind: 'accept', authenticated: false, potentialSpoofing: true, note: `authenticated for another domain than From's: ${summary}` };
    case 'temperror':
      if (privileged) return { kind: 'suspend', detail: `mail from ${who} could not be authenticated (DNS temporary error): ${summary}` };
      return { kind: 'accept', authenticated: false, potentialSpoofing: true, note: `could not be authenticated (DNS temporary error): ${summary}` };
    default: {
      const _exhaustive: never = outcome;
      return _exhaustive;
    }
  }
};

/** The record of the check kept on the mail's comment and audit. */
export interface SenderAuthRecord {
  policy: SenderAuthPolicy;
  /** Null when the policy did not ask for a check of this sender. */
  results: SenderAuthResults | null;
  outcome: AuthenticationOutcome | 'not_checked';
  authenticated: boolean;
  potentialSpoofing: boolean;
  note: string | null;
}

export const senderAuthRecord = (policy: SenderAuthPolicy, results: SenderAuthResults | null, decision: Extract<SenderAuthDecision, { kind: 'accept' }>): SenderAuthRecord => ({
  policy,
  results,
  outcome: results ? authenticationOutcome(results) : 'not_checked',
  authenticated: decision.authenticated,
  potentialSpoofing: decision.potentialSpoofing,
  note: decision.note,
});

/** The domain of an address, lower-cased; null without one. */
export const domainOf = (address: string | null | undefined): string | null => {
  const at = (address ?? '').lastIndexOf('@');
  const domain = at >= 0 ? (address ?? '').slice(at + 1).trim().toLowerCase().replace(/\.$/, '') : '';
  return domain || null;
};

/**
 * The Authentication-Results headers (RFC 8601) that a trusted relay added: only the topmost
 * ones. Headers are added at the top by each hop, so the relay's own results sit above anything
 * that came with the mail; an A-R further down carrying the relay's authserv-id was written by
 * the sender (or an earlier hop) and proves nothing. `headers` are the mail's header fields in
 * order, top first, as `[name, value]`.
 *
 * Rule: walk from the top. Before the first Authentication-Results, the fields a relay adds beside
 * it (its own Received — one, no more —, Return-Path, ARC-*, X-* filter headers) are skipped. The
 * first A-R decides: if it is not the relay's, nothing counts; if it is, it and the A-R headers of
 * the same authserv-id directly below it count. Anything below a second Received came from an
 * earlier hop or the sender. The relay must still remove A-R headers with its own authserv-id
 * from the mail it receives (RFC 8601 §5; OpenDKIM and rspamd can), for mail it adds none to.
 */
export const trustedAuthenticationResults = (headers: readonly (readonly [string, string])[], authservId: string): string[] => {
  const wanted = authservId.trim().toLowerCase();
  const found: string[] = [];
  let received = 0;
  for (const [rawName, value] of headers) {
    const name = rawName.trim().toLowerCase();
    if (name === 'authentication-results') {
      if (authservIdOf(value) !== wanted) break;
      found.push(value);
      continue;
    }
    if (found.length > 0) break;
    if (name === 'received' && ++received > 1) break;
    if (!PASSING_FIELDS.test(name)) break;
  }
  return found;
};

/** Header fields a relay (Postfix, OpenDKIM, rspamd) puts at the top beside its Authentication-Results. */
const PASSING_FIELDS = /^(received|return-path|delivered-to|x-[a-z0-9-]+|arc-seal|arc-message-signature|arc-authentication-results|received-spf|dkim-signature)$/;

/** The authserv-id of an Authentication-Results value (before the first `;`, version number dropped), lower-cased. */
export const authservIdOf = (value: string): string => {
  const head = stripComments(value).split(';')[0] ?? '';
  return (head.trim().split(/\s+/)[0] ?? '').toLowerCase();
};

const stripComments = (s: string): string => {
  let out = '';
  let depth = 0;
  for (const c of s.replace(/\r?\n[ \t]*/g, ' ')) {
    if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (depth === 0) out += c;
  }
  return out;
};

/**
 * The results a trusted relay gave (its topmost Authentication-Results), null when it gave none.
 * When it reports several results of one method (two DKIM signatures), a pass wins, as DMARC
 * needs only one. Alignment: DMARC pass, or a DKIM pass whose `header.d` / an SPF pass whose
 * `smtp.mailfrom` domain is aligned (relaxed) with `header.from`.
 */
export const resultsFromAuthenticationResults = (values: readonly string[], authservId: string): SenderAuthResults | null => {
  if (values.length === 0) return null;
  const found: Record<'spf' | 'dkim' | 'dmarc' | 'arc', AuthResultWord[]> = { spf: [], dkim: [], dmarc: [], arc: [] };
  let fromDomain: string | null = null;
  const passingDomains: string[] = [];
  for (const value of values) {
    const parts = stripComments(value).split(';').slice(1);
    for (const part of parts) {
      const m = /^\s*([a-z-]+)\s*=\s*([a-z]+)(.*)$/i.exec(part);
      if (!m) continue;
      const method = m[1].toLowerCase();
      const result = asResultWord(m[2]);
      const props = Object.fromEntries([...m[3].matchAll(/([a-z]+\.[a-z-]+)\s*=\s*("[^"]*"|[^\s;]+)/gi)].map((p) => [p[1].toLowerCase(), p[2].replace(/^"|"$/g, '')]));
      if (method === 'dmarc' && props['header.from']) fromDomain = domainOf(`x@${props['header.from']}`);
      if (method === 'spf' || method === 'dkim' || method === 'dmarc' || method === 'arc') found[method].push(result);
      if (result === 'pass' && method === 'dkim' && props['header.d']) passingDomains.push(props['header.d'].toLowerCase());
      if (result === 'pass' && method === 'spf' && props['smtp.mailfrom']) {
        const d = domainOf(props['smtp.mailfrom'].includes('@') ? props['smtp.mailfrom'] : `x@${props['smtp.mailfrom']}`);
        if (d) passingDomains.push(d);
      }
      if (method === 'dkim' && !fromDomain && props['header.from']) fromDomain = domainOf(`x@${props['header.from']}`);
    }
  }
  const best = (list: AuthResultWord[]): AuthResultWord => (list.includes('pass') ? 'pass' : (list[0] ?? 'none'));
  const dmarc = best(found.dmarc);
  return {
    source: 'trusted_relay',
    authservId: authservId.trim().toLowerCase(),
    spf: best(found.spf),
    dkim: best(found.dkim),
    dmarc,
    arc: best(found.arc),
    fromDomain,
    aligned: dmarc === 'pass' || (fromDomain !== null && passingDomains.some((d) => relaxedAligned(d, fromDomain!))),
  };
};

/**
 * Relaxed identifier alignment, approximated without a public-suffix list: the same domain, or
 * one a subdomain of the other with at least two labels in common (so `a.com` and `b.com` never
 * align, `mail.example.com` and `example.com` do; `a.co.uk` and `b.co.uk` would wrongly align
 * only if a relay reported them). DKIM alignment on the computed path is mailauth's own, which
 * uses the public-suffix list.
 */
export const relaxedAligned = (a: string, b: string): boolean => {
  const x = a.toLowerCase().replace(/\.$/, '');
  const y = b.toLowerCase().replace(/\.$/, '');
  if (x === y) return true;
  const [short, long] = x.length < y.length ? [x, y] : [y, x];
  return short.split('.').length >= 2 && long.endsWith(`.${short}`);
};
