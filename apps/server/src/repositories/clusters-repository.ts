/**
 * The `clusters` table: prepared statements over one better-sqlite3 connection, rows mapped to
 * {@link ClusterRecord} (JSON columns parsed, 0/1 as booleans), `null` for not-found. No policy
 * here: the topology service validates and decides, inside its own transaction.
 */
import type { Database, Statement } from 'better-sqlite3'

/** Mutual-TLS material of a cluster, PEM texts. */
export interface ClusterTlsMaterial {
  readonly ca: string
  readonly cert: string
  readonly key: string
  /**
   * Volume-server and filer HTTP use HTTPS with the same material (SeaweedFS `[https.client]`);
   * false: gRPC only, HTTP stays plain. Absent (older rows) means true.
   */
  readonly https?: boolean
}

/** A stored cluster. */
export interface ClusterRecord {
  readonly id: string
  readonly name: string
  /** Filer addresses `host:httpPort[.grpcPort]`, as given. */
  readonly addresses: readonly string[]
  /** An embedded filer this server runs (the demo clusters). */
  readonly embedded: boolean
  /** Default of the edges' per-side `filerProxy`. */
  readonly filerProxy: boolean
  readonly tls: ClusterTlsMaterial | null
  /** The store signature every address reported at the last probe; null before one. */
  readonly signature: number | null
  readonly createdAtMs: number
  readonly updatedAtMs: number
}

interface ClusterRow {
  id: string
  name: string
  addresses: string
  embedded: number
  filer_proxy: number
  tls: string | null
  signature: number | null
  created_at: number
  updated_at: number
}

const COLUMNS = 'id, name, addresses, embedded, filer_proxy, tls, signature, created_at, updated_at'

export class ClustersRepository {
  private readonly listStatement: Statement<[], ClusterRow>
  private readonly getStatement: Statement<[string], ClusterRow>
  private readonly insertStatement: Statement<ClusterRow>
  private readonly updateStatement: Statement<ClusterRow>
  private readonly deleteStatement: Statement<[string]>

  constructor(db: Database) {
    this.listStatement = db.prepare(`SELECT ${COLUMNS} FROM clusters ORDER BY created_at, id`)
    this.getStatement = db.prepare(`SELECT ${COLUMNS} FROM clusters WHERE id = ?`)
    this.insertStatement = db.prepare(
      `INSERT INTO clusters (${COLUMNS}) VALUES ` +
        '(@id, @name, @addresses, @embedded, @filer_proxy, @tls, @signature, @created_at, @updated_at)',
    )
    this.updateStatement = db.prepare(
      'UPDATE clusters SET name = @name, addresses = @addresses, embedded = @embedded, ' +
        'filer_proxy = @filer_proxy, tls = @tls, signature = @signature, ' +
        'created_at = @created_at, updated_at = @updated_at WHERE id = @id',
    )
    this.deleteStatement = db.prepare('DELETE FROM clusters WHERE id = ?')
  }

  /** Every cluster, oldest first. */
  list(): ClusterRecord[] {
    return this.listStatement.all().map(fromRow)
  }

  get(id: string): ClusterRecord | null {
    const row = this.getStatement.get(id)
    return row === undefined ? null : fromRow(row)
  }

  insert(cluster: ClusterRecord): void {
    this.insertStatement.run(toRow(cluster))
  }

  /** Overwrites the cluster with `cluster.id`; false when there is none. */
  update(cluster: ClusterRecord): boolean {
    return this.updateStatement.run(toRow(cluster)).changes > 0
  }

  /** False when there was none. Throws (foreign key) while edges refer to it. */
  delete(id: string): boolean {
    return this.deleteStatement.run(id).changes > 0
  }
}

function fromRow(row: ClusterRow): ClusterRecord {
  return {
    id: row.id,
    name: row.name,
    addresses: JSON.parse(row.addresses) as string[],
    embedded: row.embedded === 1,
    filerProxy: row.filer_proxy === 1,
    tls: row.tls === null ? null : (JSON.parse(row.tls) as ClusterTlsMaterial),
    signature: row.signature,
    createdAtMs: row.created_at,
    updatedAtMs: row.updated_at,
  }
}

function toRow(cluster: ClusterRecord): ClusterRow {
  return {
    id: cluster.id,
    name: cluster.name,
    addresses: JSON.stringify(cluster.addresses),
    embedded: cluster.embedded ? 1 : 0,
    filer_proxy: cluster.filerProxy ? 1 : 0,
    tls:
      cluster.tls === null
        ? null
        : JSON.stringify({
            ca: cluster.tls.ca,
            cert: cluster.tls.cert,
            key: cluster.tls.key,
            ...(cluster.tls.https === false ? { https: false } : {}),
          }),
    signature: cluster.signature,
    created_at: cluster.createdAtMs,
    updated_at: cluster.updatedAtMs,
  }
}
