import postgres from 'postgres';

export type Sql = postgres.Sql<Record<string, never>>;
export type Tx = postgres.TransactionSql<Record<string, never>>;
export type Queryable = Sql | Tx;

/**
 * One pool per process. bigint (sequences, counts) comes back as a JavaScript number: sequences stay far below 2^53.
 * numeric (money, prices, quantities, weights) comes back as its exact text, read with workflows/money.ts.
 */
export function createSql(url: string, options: { max?: number; applicationName?: string } = {}): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connection: { application_name: options.applicationName ?? 'ops-hub' },
    types: {
      bigint: { to: 20, from: [20], serialize: (n: number) => String(n), parse: (s: string) => Number(s) },
    },
  }) as unknown as Sql;
}
