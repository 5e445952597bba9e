/**
 * Mentions in a query's text: `@alex.advisor` (the local part of a hub user's e-mail) or the whole address
 * `@alex.advisor@hub.example` when a local part is shared. A handle ends at the last letter or digit, so
 * "ask @alex.advisor." mentions alex.advisor.
 */
const MENTION = /(?<![\w.@])@([a-z0-9](?:[a-z0-9._+-]*[a-z0-9])?(?:@[a-z0-9-]+(?:\.[a-z0-9-]+)+)?)/gi;

/** The distinct handles written in a text, lower-cased, in order of first appearance. */
export function extractMentionHandles(text: string): string[] {
  const handles = new Set<string>();
  for (const match of text.matchAll(MENTION)) handles.add(match[1].toLowerCase());
  return [...handles];
}

export const localPartOf = (email: string) => email.slice(0, email.indexOf('@'));

/**
 * The person each handle names: a whole address names its user; a local part names the one user who has
 * it. A handle naming nobody, or several people, stays plain text.
 */
export function resolveMentionHandles<U extends { email: string }>(handles: string[], users: U[]): U[] {
  const resolved = new Set<U>();
  for (const handle of handles) {
    const matches = handle.includes('@')
      ? users.filter((u) => u.email === handle)
      : users.filter((u) => localPartOf(u.email) === handle);
    if (matches.length === 1) resolved.add(matches[0]);
  }
  return [...resolved];
}
