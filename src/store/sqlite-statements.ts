// Prepared statements, compiled once per connection and reused: compiling
// SQL costs more than running these one-row statements, and the batch
// methods run thousands of them per call.
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { int } from './sqlite-rows.ts';

export class Statements {
  readonly #db: DatabaseSync;
  readonly #cache = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** The statement for `sql`, compiled on first use. Filter queries have a bounded set of shapes, so the cache stays small. */
  sql(sql: string): StatementSync {
    let statement = this.#cache.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#cache.set(sql, statement);
    }
    return statement;
  }

  run(sql: string, ...params: SQLInputValue[]): number {
    return Number(this.sql(sql).run(...params).changes);
  }

  /** PRAGMA data_version: changes when another connection committed, so caches of the file (pending index, replay keys) know to reload. */
  dataVersion(): number {
    const row = this.sql('PRAGMA data_version').get();
    return row === undefined ? -1 : int(row, 'data_version');
  }

  /**
   * Runs `body` in one write transaction. IMMEDIATE takes the write lock up
   * front, so a concurrent writer waits (busy_timeout) at BEGIN instead of
   * failing mid-batch when upgrading a read lock. `onAbort` runs when the
   * transaction did not commit, for state kept beside the database.
   */
  transaction<T>(body: () => T, onAbort?: () => void): T {
    this.sql('BEGIN IMMEDIATE').run();
    try {
      const result = body();
      this.sql('COMMIT').run();
      return result;
    } catch (err) {
      if (this.#db.isTransaction) this.sql('ROLLBACK').run();
      onAbort?.();
      throw err;
    }
  }
}
