/**
 * Hash routes, shared with links from Slack and notifications: `#/board/<type>?<filters>`, `#/process/<id>`,
 * `#/ops`, `#/portfolios`.
 */
export type Route =
  | { name: 'board'; processType: string | null; query: string }
  | { name: 'process'; processId: string }
  | { name: 'ops' }
  | { name: 'portfolios' }
  | { name: 'sign-in' };

export function parseRoute(hash: string): Route {
  const [path, query = ''] = hash.replace(/^#/, '').split('?', 2);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'process' && parts[1]) return { name: 'process', processId: parts[1] };
  if (parts[0] === 'ops') return { name: 'ops' };
  if (parts[0] === 'portfolios') return { name: 'portfolios' };
  if (parts[0] === 'sign-in') return { name: 'sign-in' };
  return { name: 'board', processType: parts[0] === 'board' && parts[1] ? parts[1] : null, query };
}

export const boardHash = (processType: string, query = '') => `#/board/${encodeURIComponent(processType)}${query ? `?${query}` : ''}`;
export const processHash = (processId: string) => `#/process/${encodeURIComponent(processId)}`;
