import type { Queryable } from './client.js';

/** Failed sign-ins for an e-mail in the window that is still running, as every server node counts them. */
export async function recentLoginFailures(db: Queryable, email: string, windowSeconds: number): Promise<number> {
  const [row] = await db`
    SELECT failures FROM login_failures
    WHERE email = ${email} AND window_started_at > now() - make_interval(secs => ${windowSeconds})`;
  return (row?.failures as number | undefined) ?? 0;
}

/** Counts one more failure, atomically across nodes; a window that ran out starts again at one. */
export async function recordLoginFailure(db: Queryable, email: string, windowSeconds: number): Promise<number> {
  const [row] = await db`
    INSERT INTO login_failures AS f (email, failures, window_started_at) VALUES (${email}, 1, now())
    ON CONFLICT (email) DO UPDATE SET
      failures = CASE WHEN f.window_started_at > now() - make_interval(secs => ${windowSeconds}) THEN f.failures + 1 ELSE 1 END,
      window_started_at = CASE WHEN f.window_started_at > now() - make_interval(secs => ${windowSeconds})
                               THEN f.window_started_at ELSE now() END
    RETURNING failures`;
  return row.failures as number;
}

export async function clearLoginFailures(db: Queryable, email: string): Promise<void> {
  await db`DELETE FROM login_failures WHERE email = ${email}`;
}
