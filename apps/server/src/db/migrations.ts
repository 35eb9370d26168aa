/**
 * The state database's schema, as numbered migrations. `migrate()` applies each one whose version
 * is above the database's `PRAGMA user_version`, in order, each in its own transaction.
 *
 * Append-only: never edit a migration that has shipped; add the next number instead. Migrations
 * live in TypeScript (not `.sql` files) so they load the same from `src/` and `dist/`.
 *
 * Conventions: tables are `STRICT` (SQLite checks column types); JSON columns are TEXT checked by
 * `json_valid`; booleans are INTEGER 0/1; `created_at`/`updated_at` are Unix epoch milliseconds,
 * as every `*_ms` column; 64-bit SeaweedFS nanosecond timestamps (`*_ns`) are decimal TEXT so that
 * no precision is lost in JavaScript.
 */

/** One schema step: `sql` takes the schema from `version - 1` to `version`. */
export interface Migration {
  readonly version: number
  /** A few words, for the log. */
  readonly name: string
  readonly sql: string
}

export const migrations: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: 'clusters, edges, edge samples, audit log',
    sql: /* sql */ `
      -- A SeaweedFS cluster: one filer store reached through one or more filer addresses.
      CREATE TABLE clusters (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        -- JSON array of "host:httpPort[.grpcPort]" strings.
        addresses   TEXT NOT NULL CHECK (json_valid(addresses) AND json_type(addresses) = 'array'),
        -- 1: an embedded filer this server runs (the demo clusters).
        embedded    INTEGER NOT NULL DEFAULT 0 CHECK (embedded IN (0, 1)),
        filer_proxy INTEGER NOT NULL DEFAULT 0 CHECK (filer_proxy IN (0, 1)),
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL
      ) STRICT;

      -- A sync edge between (a_cluster, a_path) and (b_cluster, b_path). A cluster with edges
      -- cannot be deleted (RESTRICT): the edges go first.
      CREATE TABLE edges (
        id         TEXT PRIMARY KEY,
        a_cluster  TEXT NOT NULL REFERENCES clusters (id) ON DELETE RESTRICT,
        a_path     TEXT NOT NULL,
        -- JSON array of excluded directories on side A.
        a_excludes TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(a_excludes)),
        b_cluster  TEXT NOT NULL REFERENCES clusters (id) ON DELETE RESTRICT,
        b_path     TEXT NOT NULL,
        b_excludes TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(b_excludes)),
        mode       TEXT NOT NULL CHECK (mode IN ('active-active', 'one-way')),
        -- JSON object: per-side placement (replication, collection, ttl, disk, filer proxy) and
        -- per-edge options (concurrency, chunk concurrency, delete propagation).
        options    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(options)),
        paused     INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      -- Foreign keys are checked on the child side: without these, deleting a cluster scans edges.
      CREATE INDEX edges_a_cluster ON edges (a_cluster);
      CREATE INDEX edges_b_cluster ON edges (b_cluster);

      -- Lag history: one row per edge direction per sample. Deleting an edge deletes its history.
      CREATE TABLE edge_samples (
        edge_id      TEXT NOT NULL REFERENCES edges (id) ON DELETE CASCADE,
        -- Which way the direction replicates, e.g. "a-b" or "b-a" (one-way edges only "a-b").
        direction    TEXT NOT NULL,
        ts_ms        INTEGER NOT NULL,
        lag_ms       INTEGER,
        applied_ns   TEXT,
        head_ns      TEXT,
        backlog      INTEGER,
        events_per_s REAL,
        bytes_per_s  REAL,
        state        TEXT NOT NULL,
        PRIMARY KEY (edge_id, direction, ts_ms)
      ) STRICT, WITHOUT ROWID;
      -- History retention deletes by age.
      CREATE INDEX edge_samples_ts ON edge_samples (ts_ms);

      -- Who changed what: every topology change, with its JSON details.
      CREATE TABLE audit_log (
        id      INTEGER PRIMARY KEY,
        ts_ms   INTEGER NOT NULL,
        actor   TEXT NOT NULL,
        action  TEXT NOT NULL,
        details TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details))
      ) STRICT;
      CREATE INDEX audit_log_ts ON audit_log (ts_ms);
    `,
  },
  {
    version: 2,
    name: 'cluster signature and mTLS material',
    sql: /* sql */ `
      -- The store signature every filer address reported when the cluster was last probed
      -- (GetFilerConfiguration); NULL until then. The topology service keeps it non-zero and
      -- different from every other cluster's.
      ALTER TABLE clusters ADD COLUMN signature INTEGER;
      -- NULL: plaintext gRPC. Else a JSON object { ca, cert, key } of PEM texts (mutual TLS).
      ALTER TABLE clusters ADD COLUMN tls TEXT
        CHECK (tls IS NULL OR (json_valid(tls) AND json_type(tls) = 'object'));
    `,
  },
])
