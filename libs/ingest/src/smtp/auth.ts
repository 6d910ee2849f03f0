import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** `user:password` entries, one per comma (settings) or line (file); `#` starts a comment line in a file. */
export const parseAuthUsers = (text: string, separator: RegExp): Map<string, Buffer> => {
  const users = new Map<string, Buffer>();
  for (const entry of text.split(separator).map((e) => e.trim())) {
    if (entry === '' || entry.startsWith('#')) continue;
    const colon = entry.indexOf(':');
    if (colon <= 0 || colon === entry.length - 1) throw new Error('SMTP AUTH users must be written user:password');
    users.set(entry.slice(0, colon), digest(entry.slice(colon + 1)));
  }
  return users;
};

export interface SmtpUsers {
  readonly size: number;
  /** True when the user exists and the password is theirs (compared in constant time). */
  verify(username: string, password: string): boolean;
}

/** The relay accounts from MAILROOM_SMTP_AUTH_USERS and MAILROOM_SMTP_AUTH_USERS_FILE, or null when none is configured. */
export const loadSmtpUsers = async (s: { authUsers: string | null; authUsersFile: string | null }): Promise<SmtpUsers | null> => {
  if (s.authUsers === null && s.authUsersFile === null) return null;
  const users = s.authUsers ? parseAuthUsers(s.authUsers, /,/) : new Map<string, Buffer>();
  if (s.authUsersFile) {
    const text = await readFile(s.authUsersFile, 'utf8').catch((e: Error) => Promise.reject(new Error(`MAILROOM_SMTP_AUTH_USERS_FILE: cannot read ${s.authUsersFile}: ${e.message}`)));
    for (const [user, hash] of parseAuthUsers(text, /\r?\n/)) users.set(user, hash);
  }
  if (users.size === 0) throw new Error('SMTP AUTH is configured but names no user');
  const unknown = digest(`\0no such user\0`);
  return {
    size: users.size,
    verify: (username, password) => {
      const expected = users.get(username);
      // Compare against something even for an unknown user, so timing does not tell names apart.
      const ok = timingSafeEqual(expected ?? unknown, digest(password));
      return expected !== undefined && ok;
    },
  };
};
