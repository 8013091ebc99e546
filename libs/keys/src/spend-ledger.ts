// The budgets' ledger in Postgres (PGlite in embedded mode), in the keys' schema (key-store.ts makes
// the table): a row per settled request, so that recording is idempotent by request id and a period's
// spend is a sum over an index.
import type { SqlClient } from '@switchyard/storage';
import type { SpendLedger } from './limiter';

export class SqlSpendLedger implements SpendLedger {
  constructor(private readonly db: SqlClient) {}

  async spent(holder: { key_id: string } | { team_id: string }, since: Date): Promise<number> {
    const [column, id] = 'key_id' in holder ? ['key_id', holder.key_id] : ['team_id', holder.team_id];
    const { rows } = await this.db.query<{ spent: number }>(`SELECT COALESCE(SUM(cost_usd), 0)::float8 AS spent FROM spend_ledger WHERE ${column} = $1 AND ts >= $2`, [id, since.toISOString()]);
    return Number(rows[0].spent);
  }

  async record(entry: { request_id: string; key_id: string; team_id?: string; received_at: Date; cost_usd: number }): Promise<boolean> {
    const { rows } = await this.db.query(
      `INSERT INTO spend_ledger (request_id, key_id, team_id, ts, cost_usd) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (request_id) DO NOTHING RETURNING request_id`,
      [entry.request_id, entry.key_id, entry.team_id ?? null, entry.received_at.toISOString(), entry.cost_usd],
    );
    return rows.length === 1;
  }
}
