/**
 * Hash routes, shared with links from Slack and notifications: `#/board/<type>?<filters>`, `#/process/<id>`,
 * `#/views/<id>` (a saved view),
 * `#/ops`, `#/portfolios`, `#/admin/<section>`, `#/account`, `#/notifications`, `#/apply[/<id>]`,
 * `#/onboarding[/<id>]`; before sign-in,
 * `#/set-password/<token>` (a one-time link) and `#/sso/<handoff>` (back from the identity provider).
 */
export type Route =
  | { name: 'board'; processType: string | null; query: string }
  | { name: 'process'; processId: string }
  | { name: 'view'; viewId: string }
  | { name: 'ops' }
  | { name: 'portfolios' }
  | { name: 'admin'; section: string }
  | { name: 'account' }
  | { name: 'notifications' }
  | { name: 'apply'; applicationId: string | null }
  | { name: 'onboarding'; onboardingId: string | null }
  | { name: 'set-password'; token: string }
  | { name: 'sso'; handoff: string }
  | { name: 'sign-in'; error: string | null };

export function parseRoute(hash: string): Route {
  const [path, query = ''] = hash.replace(/^#/, '').split('?', 2);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'process' && parts[1]) return { name: 'process', processId: parts[1] };
  if (parts[0] === 'views' && parts[1]) return { name: 'view', viewId: parts[1] };
  if (parts[0] === 'ops') return { name: 'ops' };
  if (parts[0] === 'portfolios') return { name: 'portfolios' };
  if (parts[0] === 'admin') return { name: 'admin', section: parts[1] ?? 'users' };
  if (parts[0] === 'account') return { name: 'account' };
  if (parts[0] === 'notifications') return { name: 'notifications' };
  if (parts[0] === 'apply') return { name: 'apply', applicationId: parts[1] ?? null };
  if (parts[0] === 'onboarding') return { name: 'onboarding', onboardingId: parts[1] ?? null };
  if (parts[0] === 'set-password' && parts[1]) return { name: 'set-password', token: parts[1] };
  if (parts[0] === 'sso' && parts[1]) return { name: 'sso', handoff: parts[1] };
  if (parts[0] === 'sign-in') return { name: 'sign-in', error: new URLSearchParams(query).get('error') };
  return { name: 'board', processType: parts[0] === 'board' && parts[1] ? parts[1] : null, query };
}

export const boardHash = (processType: string, query = '') =>
  `#/board/${encodeURIComponent(processType)}${query ? `?${query}` : ''}`;
export const processHash = (processId: string) => `#/process/${encodeURIComponent(processId)}`;
export const viewHash = (viewId: string) => `#/views/${encodeURIComponent(viewId)}`;
