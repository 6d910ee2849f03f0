/**
 * Zendesk's Mail API: an agent sets ticket properties by starting the reply (or a new mail) with
 * command lines, one per line, `#command value` (reference §5.5, §5.1). Parsing only: the caller
 * resolves users and groups, checks permissions (for instance that a ticket needs an assignee to
 * be solved) and records every error on the ticket's audit. Nothing here changes a ticket.
 */

export type MailCommandStatus = 'open' | 'pending' | 'solved';
export type MailCommandPriority = 'low' | 'normal' | 'high' | 'urgent';
export type MailCommandType = 'question' | 'incident' | 'problem' | 'task';

/** A user named by a command: the Zendesk user id or an email address (lower-cased). */
export type MailCommandUser = { id: number } | { email: string };
/** A group named by a command: its id or its name (as written). */
export type MailCommandGroup = { id: number } | { name: string };

export type MailCommandErrorReason =
  /** `#word` that is no Mail API command: the line is kept in the body. */
  | 'unknown_command'
  /** A command without the value it needs. */
  | 'missing_value'
  /** A value the command does not accept. */
  | 'invalid_value';

export interface MailCommandError {
  /** 1-based line of the text the command was on. */
  line: number;
  /** The line as written, trimmed. */
  text: string;
  /** The command word, lower-cased, without `#`. */
  command: string;
  reason: MailCommandErrorReason;
  /** For the audit trail. */
  message: string;
}

export interface MailCommands {
  status?: MailCommandStatus;
  priority?: MailCommandPriority;
  type?: MailCommandType;
  /** Tags to add, lower-cased, each once, in the order written. */
  tags?: string[];
  assignee?: MailCommandUser;
  group?: MailCommandGroup;
  requester?: MailCommandUser;
  /** `#note` and `#public false` give false; `#public true` gives true. */
  public?: boolean;
}

export interface ParsedMailCommands extends MailCommands {
  /** Everything the caller must record; a command with an error changes nothing. */
  errors: MailCommandError[];
  /** The text without its command lines, to be the comment. Unchanged when not honoured. */
  body: string;
  /** False when the author may not use commands: the text was left exactly as written. */
  honoured: boolean;
}

export interface MailCommandOptions {
  /**
   * Whether the author is an agent (or admin) allowed to use the Mail API. End users' and light
   * agents' commands are ignored, as Zendesk does: their text stays as they wrote it.
   */
  authorIsAgent: boolean;
}

const STATUSES: readonly MailCommandStatus[] = ['open', 'pending', 'solved'];
const PRIORITIES: readonly MailCommandPriority[] = ['low', 'normal', 'high', 'urgent'];
const TYPES: readonly MailCommandType[] = ['question', 'incident', 'problem', 'task'];

/** `#word` or `#word value`: the shape of a command line. Anything else ends the command block. */
const COMMAND_LINE = /^#([a-z][a-z_]*)(?:[ \t]+(.*))?$/i;
const EMAIL = /^[^\s@<>()[\]",;:\\]+@[^\s@<>()[\]",;:\\]+\.[^\s@<>()[\]",;:\\]+$/;
const ID = /^[1-9]\d{0,15}$/;
/** Zendesk tags: no spaces; we also keep out the characters that would break a tag list. */
const TAG = /^[\p{L}\p{N}_\-.:/?!&+@]+$/u;
const MAX_COMMAND_LINES = 50;

const userRef = (value: string): MailCommandUser | null => {
  const v = value.replace(/^<(.*)>$/, '$1').trim();
  if (ID.test(v)) return { id: Number(v) };
  if (EMAIL.test(v)) return { email: v.toLowerCase() };
  return null;
};

type Outcome = { ok: true; apply: (c: MailCommands) => void } | { ok: false; reason: MailCommandErrorReason; message: string };

const missing = (command: string, what: string): Outcome => ({
  ok: false,
  reason: 'missing_value',
  message: `#${command} needs ${what}`,
});
const invalid = (command: string, value: string, what: string): Outcome => ({
  ok: false,
  reason: 'invalid_value',
  message: `#${command} "${value}" is not ${what}`,
});

const oneOf = <T extends string>(command: string, value: string, allowed: readonly T[], set: (c: MailCommands, v: T) => void): Outcome => {
  const what = `one of ${allowed.join(', ')}`;
  if (!value) return missing(command, what);
  const v = value.toLowerCase() as T;
  return allowed.includes(v) ? { ok: true, apply: (c) => set(c, v) } : invalid(command, value, what);
};

/** The Mail API's commands (Zendesk's "Mail API" reference) and its one documented short form. */
const COMMANDS: Record<string, (value: string) => Outcome> = {
  status: (v) => oneOf('status', v, STATUSES, (c, s) => (c.status = s)),
  solved: (v) =>
    v ? { ok: false, reason: 'invalid_value', message: '#solved takes no value' } : { ok: true, apply: (c) => (c.status = 'solved') },
  priority: (v) => oneOf('priority', v, PRIORITIES, (c, p) => (c.priority = p)),
  type: (v) => oneOf('type', v, TYPES, (c, t) => (c.type = t)),
  tags: (v) => {
    const tags = v.split(/[\s,]+/).filter(Boolean);
    if (tags.length === 0) return missing('tags', 'one or more tags');
    const bad = tags.find((t) => !TAG.test(t));
    if (bad !== undefined) return invalid('tags', bad, 'a valid tag');
    return {
      ok: true,
      apply: (c) => {
        const all = [...(c.tags ?? []), ...tags.map((t) => t.toLowerCase())];
        c.tags = [...new Set(all)];
      },
    };
  },
  assignee: (v) => {
    if (!v) return missing('assignee', 'an agent’s email address or id');
    const ref = userRef(v);
    return ref ? { ok: true, apply: (c) => (c.assignee = ref) } : invalid('assignee', v, 'an email address or a user id');
  },
  requester: (v) => {
    if (!v) return missing('requester', 'an email address or user id');
    const ref = userRef(v);
    return ref ? { ok: true, apply: (c) => (c.requester = ref) } : invalid('requester', v, 'an email address or a user id');
  },
  group: (v) => {
    if (!v) return missing('group', 'a group name or id');
    const ref: MailCommandGroup = ID.test(v) ? { id: Number(v) } : { name: v.replace(/\s+/g, ' ') };
    return { ok: true, apply: (c) => (c.group = ref) };
  },
  note: (v) =>
    // A value after #note is an error, but the comment still becomes private: a typo must never
    // publish what an agent meant as an internal note.
    v ? { ok: false, reason: 'invalid_value', message: '#note takes no value; the comment was made private' } : { ok: true, apply: (c) => (c.public = false) },
  public: (v) => {
    const value = v.toLowerCase();
    if (value === 'true') return { ok: true, apply: (c) => (c.public = true) };
    if (value === 'false') return { ok: true, apply: (c) => (c.public = false) };
    return v ? invalid('public', v, 'true or false') : missing('public', 'true or false');
  },
};

/**
 * The Mail API commands at the top of `text` (the reply, after {@link extractReply}): the leading
 * lines of the form `#command value`, blank lines between them allowed. The first other line ends
 * the block; `#123 is the one` or `#hashtag,` are text, not commands.
 *
 * - Known commands are taken off the body, valid or not; a valid one sets its field (a repeated
 *   command: the last one wins; `#tags` adds up), an invalid one only adds an error.
 * - `#word` lines that are no command add an `unknown_command` error and stay in the body.
 * - A `#note` or `#public` with a bad value still makes the comment private (`public: false`):
 *   visibility fails closed.
 * - Unless `authorIsAgent`, nothing is parsed and the body is the text as written.
 */
export const parseMailCommands = (text: string, options: MailCommandOptions): ParsedMailCommands => {
  const source = text ?? '';
  if (!options.authorIsAgent) return { errors: [], body: source, honoured: false };

  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const commands: MailCommands = {};
  const errors: MailCommandError[] = [];
  const kept: string[] = [];
  let i = 0;
  for (; i < lines.length && i < MAX_COMMAND_LINES * 2; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const match = line.length <= 1000 ? COMMAND_LINE.exec(line) : null;
    if (!match) break;
    const command = match[1].toLowerCase();
    const value = (match[2] ?? '').trim();
    const handler = Object.prototype.hasOwnProperty.call(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!handler) {
      errors.push({ line: i + 1, text: line, command, reason: 'unknown_command', message: `#${command} is not a mail command` });
      kept.push(lines[i]);
      continue;
    }
    const outcome = handler(value);
    if (outcome.ok) {
      outcome.apply(commands);
    } else {
      errors.push({ line: i + 1, text: line, command, reason: outcome.reason, message: outcome.message });
      if (command === 'note' || command === 'public') commands.public = false;
    }
  }
  const rest = lines.slice(i);
  while (rest.length > 0 && rest[0].trim() === '') rest.shift();
  const body = [...kept, ...(kept.length > 0 && rest.length > 0 ? [''] : []), ...rest].join('\n');
  return { ...commands, errors, body, honoured: true };
};

const FIELDS: readonly (keyof MailCommands)[] = ['status', 'priority', 'type', 'tags', 'assignee', 'group', 'requester', 'public'];

/** True when the parse found a field to set (the caller's cue to apply commands at all). */
export const hasMailCommands = (parsed: MailCommands): boolean =>
  FIELDS.some((field) => parsed[field] !== undefined);

