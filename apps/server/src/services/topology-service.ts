/**
 * The topology store: every change to clusters and edges goes through {@link TopologyService},
 * one at a time, in this order:
 *
 * 1. build the desired topology from the stored one and the request, and check it
 *    (`topology-draft.ts`: 400 / 404 / 409 for what the request gets wrong);
 * 2. probe the clusters it adds or reconnects (`cluster-prober.ts`: 422 `CLUSTER_PROBE_FAILED`);
 * 3. refuse loops with `validateChange` (409 `TOPOLOGY_LOOP`, with the loop);
 * 4. store the diff in ONE SQLite transaction together with an `audit_log` row;
 * 5. after the commit, `app.topologyEvents.notify(...)` with the ids that changed.
 *
 * A refused change stores nothing. A change that stores nothing new (e.g. `PUT /topology` with the
 * stored topology) writes no audit row and notifies nobody. `validate` runs steps 1–3 only.
 *
 * The events' `edgesUpdated` also lists the edges on a cluster whose addresses, TLS material or
 * filer-proxy default changed: they restart (the plan says `cluster-changed`).
 */
import type { Database } from 'better-sqlite3'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { ApiError } from '../errors.js'
import { errorBody } from '../plugins/error-handler.js'
import type { TopologyEvents } from '../plugins/topology-events.js'
import { AuditRepository } from '../repositories/audit-repository.js'
import { ClustersRepository, type ClusterRecord } from '../repositories/clusters-repository.js'
import { EdgesRepository, type EdgeRecord } from '../repositories/edges-repository.js'
import type { ClusterCreateBody, ClusterPatchBody } from '../schemas/clusters.js'
import type { EdgeCreateBody, EdgePatchBody } from '../schemas/edges.js'
import type {
  Plan,
  TopologyDocument,
  ValidateRequest,
  ValidateResponse,
} from '../schemas/topology.js'
import type { EdgeSpec, LoopStep } from '../topology/topology-model.js'
import { describeLoop, TopologyChangeError, validateChange } from '../topology/validate-topology.js'
import {
  ClusterProbeDefaults,
  probeCluster,
  probeFilerSignature,
  type ClusterProbeReport,
  type FilerProbe,
} from './cluster-prober.js'
import {
  canonicalJson,
  checkDraft,
  TopologyDraft,
  validationError,
  type DraftCluster,
  type DraftEdge,
  type TopologyState,
} from './topology-draft.js'
import {
  diffTopology,
  isEmptyDiff,
  planChange,
  type DraftTopology,
  type TopologyDiff,
} from './topology-plan.js'

/** How often a change is checked again when the topology changed under it before giving up. */
const MAX_ATTEMPTS = 3

export interface TopologyServiceOptions {
  /** How a filer address is asked for its signature. Default {@link probeFilerSignature}. */
  readonly probe?: FilerProbe
  /** Deadline of each probe, milliseconds. Default {@link ClusterProbeDefaults.timeoutMs}. */
  readonly probeTimeoutMs?: number
  /** The clock for `created_at`, `updated_at` and audit rows. Default `Date.now`. */
  readonly now?: () => number
  /** Where listener failures after a commit are logged. */
  readonly log?: FastifyBaseLogger
}

/** The result of a stored change and what it did to the running edges. */
export interface ChangeOutcome<T> {
  readonly result: T
  readonly plan: Plan
}

/** A checked change: everything steps 1–3 found, before anything is stored. */
interface Evaluation<T> {
  readonly result: T
  readonly current: TopologyState
  readonly draft: DraftTopology
  readonly diff: TopologyDiff
  readonly plan: Plan
  /** Probed signatures of the added or reconnected clusters, by id. */
  readonly signatures: ReadonlyMap<string, number>
  readonly loop: readonly LoopStep[] | undefined
  /** The refusal, probe first (step 2), then loop (step 3). */
  readonly refusal: ApiError | undefined
}

export class TopologyService {
  readonly clusters: ClustersRepository
  readonly edges: EdgesRepository
  readonly audit: AuditRepository
  private readonly probe: FilerProbe
  private readonly probeTimeoutMs: number
  private readonly now: () => number
  private readonly log: FastifyBaseLogger | undefined
  /** Changes run one at a time: a probe awaits the network between reading and writing. */
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly db: Database,
    private readonly events: TopologyEvents,
    options: TopologyServiceOptions = {},
  ) {
    this.clusters = new ClustersRepository(db)
    this.edges = new EdgesRepository(db)
    this.audit = new AuditRepository(db)
    this.probe = options.probe ?? probeFilerSignature
    this.probeTimeoutMs = options.probeTimeoutMs ?? ClusterProbeDefaults.timeoutMs
    this.now = options.now ?? Date.now
    this.log = options.log
  }

  /** Every stored cluster and edge, oldest first. */
  state(): TopologyState {
    return { clusters: this.clusters.list(), edges: this.edges.list() }
  }

  async createCluster(input: ClusterCreateBody, actor: string): Promise<ClusterRecord> {
    const { result } = await this.change('cluster.create', actor, (d) =>
      d.addCluster(input, 'body'),
    )
    return this.storedCluster(result.id)
  }

  async updateCluster(id: string, patch: ClusterPatchBody, actor: string): Promise<ClusterRecord> {
    await this.change('cluster.update', actor, (d) => d.updateCluster(id, patch, 'body'))
    return this.storedCluster(id)
  }

  async deleteCluster(id: string, actor: string): Promise<void> {
    await this.change('cluster.delete', actor, (d) => d.removeCluster(id))
  }

  /** Removes every embedded (demo) cluster and the edges with a side on one. */
  async removeEmbedded(actor: string): Promise<{ clusters: string[]; edges: string[] }> {
    const { result } = await this.change('cluster.remove-embedded', actor, (d) =>
      d.removeEmbedded(),
    )
    return result
  }

  async createEdge(input: EdgeCreateBody, actor: string): Promise<EdgeRecord> {
    const { result } = await this.change('edge.create', actor, (d) => d.addEdge(input, 'body'))
    return this.storedEdge(result.id)
  }

  async updateEdge(id: string, patch: EdgePatchBody, actor: string): Promise<EdgeRecord> {
    await this.change('edge.update', actor, (d) => d.updateEdge(id, patch, 'body'))
    return this.storedEdge(id)
  }

  async deleteEdge(id: string, actor: string): Promise<void> {
    await this.change('edge.delete', actor, (d) => d.removeEdge(id))
  }

  /** `PUT /topology`: makes the stored topology `doc`, restarting only the edges that changed. */
  async replaceTopology(doc: TopologyDocument, actor: string): Promise<Plan> {
    const { plan } = await this.change('topology.replace', actor, (d) => d.declare(doc, 'body'))
    return plan
  }

  /**
   * `POST /topology/validate`: steps 1–3 of a change, storing nothing. Every refusal the change
   * would get is `valid: false` with that `error`; only a request that cannot be read (both
   * `topology` and change lists) throws (400).
   */
  async validate(request: ValidateRequest): Promise<ValidateResponse> {
    const { topology, clusters, edges } = request
    if (topology !== undefined && (clusters !== undefined || edges !== undefined)) {
      throw validationError([
        {
          field: 'body/topology',
          message: 'cannot be combined with clusters or edges: send one or the other',
        },
      ])
    }
    let evaluation: Evaluation<unknown>
    try {
      evaluation = await this.evaluate((draft) => {
        if (topology !== undefined) return draft.declare(topology, 'body/topology')
        // Removals first, so that a cluster can go together with its edges.
        edges?.remove?.forEach((id) => draft.removeEdge(id))
        clusters?.remove?.forEach((id) => draft.removeCluster(id))
        clusters?.update?.forEach(({ id, ...patch }, i) =>
          draft.updateCluster(id, patch, `body/clusters/update/${i}`),
        )
        clusters?.add?.forEach((input, i) => draft.addCluster(input, `body/clusters/add/${i}`))
        edges?.update?.forEach(({ id, ...patch }, i) =>
          draft.updateEdge(id, patch, `body/edges/update/${i}`),
        )
        edges?.add?.forEach((input, i) => draft.addEdge(input, `body/edges/add/${i}`))
      })
    } catch (error) {
      if (error instanceof ApiError && error.statusCode < 500) {
        return { valid: false, error: errorBody(error.code, error.message, error.details).error }
      }
      throw error
    }
    const { plan, loop, refusal } = evaluation
    return {
      valid: refusal === undefined,
      plan,
      ...(loop !== undefined && { loop: [...loop], description: describeLoop(loop) }),
      ...(refusal !== undefined && {
        error: errorBody(refusal.code, refusal.message, refusal.details).error,
      }),
    }
  }

  private storedCluster(id: string): ClusterRecord {
    const cluster = this.clusters.get(id)
    if (cluster === null) throw new Error(`cluster ${id} missing right after its change (bug)`)
    return cluster
  }

  private storedEdge(id: string): EdgeRecord {
    const edge = this.edges.get(id)
    if (edge === null) throw new Error(`edge ${id} missing right after its change (bug)`)
    return edge
  }

  /** Steps 1–5 (module comment), one change at a time. */
  private change<T>(
    action: string,
    actor: string,
    build: (draft: TopologyDraft) => T,
  ): Promise<ChangeOutcome<T>> {
    const run = async (): Promise<ChangeOutcome<T>> => {
      for (let attempt = 1; ; attempt++) {
        const evaluation = await this.evaluate(build)
        if (evaluation.refusal !== undefined) throw evaluation.refusal
        if (!isEmptyDiff(evaluation.diff)) {
          if (!this.commit(evaluation, action, actor)) {
            // Someone else wrote meanwhile (the runtime's pause and resume do): check again.
            if (attempt < MAX_ATTEMPTS) continue
            throw new ApiError(
              409,
              'CONFLICT',
              'The topology kept changing while this change was checked: try again',
            )
          }
          this.notify(evaluation)
        }
        return { result: evaluation.result, plan: evaluation.plan }
      }
    }
    const next = this.queue.then(run, run)
    this.queue = next.catch(() => undefined)
    return next
  }

  /** Steps 1–3: throws for step 1; probe and loop refusals are returned, not thrown. */
  private async evaluate<T>(build: (draft: TopologyDraft) => T): Promise<Evaluation<T>> {
    const current = this.state()
    const builder = new TopologyDraft(current)
    const result = build(builder)
    const draft = builder.result()
    checkDraft(draft)
    const diff = diffTopology(current, draft)
    const plan = planChange(current, draft, diff)
    const { signatures, refusal: probeRefusal } = await this.probeClusters(current, draft, diff)
    const loop = findLoop(current, draft, diff)
    const refusal = probeRefusal ?? (loop === undefined ? undefined : loopError(loop))
    return { result, current, draft, diff, plan, signatures, loop, refusal }
  }

  /** Step 2: probes the added and reconnected clusters and checks signatures across clusters. */
  private async probeClusters(
    current: TopologyState,
    draft: DraftTopology,
    diff: TopologyDiff,
  ): Promise<{ signatures: Map<string, number>; refusal: ApiError | undefined }> {
    const probed = new Set([...diff.clusters.added, ...diff.clusters.reconnected])
    const reports = await Promise.all(
      draft.clusters
        .filter((cluster) => probed.has(cluster.id))
        .map((cluster) => probeCluster(cluster, this.probe, this.probeTimeoutMs)),
    )
    const stored = new Map(current.clusters.map((c) => [c.id, c.signature]))
    const signatureOf = new Map<string, number | null>(
      draft.clusters.map((c) => [c.id, stored.get(c.id) ?? null]),
    )
    for (const report of reports) signatureOf.set(report.cluster, report.signature)
    for (const report of reports) {
      if (report.signature === null) continue
      for (const other of draft.clusters) {
        if (other.id !== report.cluster && signatureOf.get(other.id) === report.signature) {
          report.problems.push(
            `signature ${report.signature} is also cluster "${other.id}"'s: two clusters must be ` +
              'two filer stores (is one a copy of the other?)',
          )
        }
      }
    }
    const signatures = new Map<string, number>()
    for (const report of reports) {
      if (report.signature !== null) signatures.set(report.cluster, report.signature)
    }
    const failed = reports.filter((report) => report.problems.length > 0)
    return { signatures, refusal: failed.length === 0 ? undefined : probeError(failed, reports) }
  }

  /**
   * Step 4: one transaction for the diff and its audit row. False (storing nothing) when the
   * stored topology is no longer the one the change was checked against.
   */
  private commit(evaluation: Evaluation<unknown>, action: string, actor: string): boolean {
    const { current, draft, diff, signatures } = evaluation
    const now = this.now()
    const stored = new Map(current.clusters.map((c) => [c.id, c]))
    const storedEdges = new Map(current.edges.map((e) => [e.id, e]))
    const added = new Set([...diff.clusters.added, ...diff.edges.added])
    const updated = new Set([...diff.clusters.updated, ...diff.edges.updated])
    const write = this.db.transaction(() => {
      // Changes here run one at a time, but edges are paused and resumed outside this service:
      // the checks above must have seen what is stored now.
      if (canonicalJson(this.state()) !== canonicalJson(current)) return false
      for (const id of diff.edges.removed) this.edges.delete(id)
      for (const id of diff.clusters.removed) this.clusters.delete(id)
      // Renamed clusters first take a name no cluster can have, so that names can swap.
      for (const cluster of draft.clusters) {
        const before = stored.get(cluster.id)
        if (before !== undefined && before.name !== cluster.name) {
          this.clusters.update({ ...before, name: `\u0000${cluster.id}` })
        }
      }
      for (const cluster of draft.clusters) {
        const before = stored.get(cluster.id)
        const record = clusterRecord(cluster, {
          signature: signatures.get(cluster.id) ?? before?.signature ?? null,
          createdAtMs: before?.createdAtMs ?? now,
          updatedAtMs: now,
        })
        if (added.has(cluster.id)) this.clusters.insert(record)
        else if (updated.has(cluster.id)) this.clusters.update(record)
      }
      for (const edge of draft.edges) {
        const record = edgeRecord(edge, storedEdges.get(edge.id)?.createdAtMs ?? now, now)
        if (added.has(edge.id)) this.edges.insert(record)
        else if (updated.has(edge.id)) this.edges.update(record)
      }
      this.audit.append({
        tsMs: now,
        actor,
        action,
        details: {
          clusters: {
            added: diff.clusters.added,
            updated: diff.clusters.updated,
            removed: diff.clusters.removed,
          },
          edges: diff.edges,
          restarted: evaluation.plan.restart.map((item) => item.edge),
        },
      })
      return true
    })
    return write.immediate()
  }

  /** Step 5: listeners' failures are theirs (logged), never the change's. */
  private notify({ diff, plan }: Evaluation<unknown>): void {
    const edgesUpdated = new Set([
      ...diff.edges.updated,
      ...plan.restart.filter((item) => item.reason === 'cluster-changed').map((item) => item.edge),
    ])
    try {
      this.events.notify({
        clustersAdded: diff.clusters.added,
        clustersUpdated: diff.clusters.updated,
        clustersRemoved: diff.clusters.removed,
        edgesAdded: diff.edges.added,
        edgesUpdated: [...edgesUpdated],
        edgesRemoved: diff.edges.removed,
      })
    } catch (error) {
      this.log?.error({ err: error }, 'a topology-change listener failed')
    }
  }
}

function clusterRecord(
  cluster: DraftCluster,
  stamp: Pick<ClusterRecord, 'signature' | 'createdAtMs' | 'updatedAtMs'>,
): ClusterRecord {
  const { field: _field, touched: _touched, ...fields } = cluster
  return { ...fields, ...stamp }
}

function edgeRecord(edge: DraftEdge, createdAtMs: number, updatedAtMs: number): EdgeRecord {
  const { field: _field, touched: _touched, ...fields } = edge
  return { ...fields, createdAtMs, updatedAtMs }
}

function edgeSpec(edge: Pick<EdgeRecord, 'id' | 'a' | 'b' | 'mode'>): EdgeSpec {
  return { id: edge.id, a: edge.a, b: edge.b, mode: edge.mode }
}

/** Step 3: the loop the changed edges would close, if any. */
function findLoop(
  current: TopologyState,
  draft: DraftTopology,
  diff: TopologyDiff,
): readonly LoopStep[] | undefined {
  const changed = new Set([...diff.edges.added, ...diff.edges.updated])
  const added = new Set(diff.edges.added)
  const specs = draft.edges.filter((edge) => changed.has(edge.id)).map(edgeSpec)
  try {
    const verdict = validateChange(current.edges.map(edgeSpec), {
      remove: diff.edges.removed,
      replace: specs.filter((edge) => !added.has(edge.id)),
      add: specs.filter((edge) => added.has(edge.id)),
    })
    return verdict.valid ? undefined : verdict.loop
  } catch (error) {
    // The draft keeps ids unique and known, so this is a bug, not a client mistake.
    if (error instanceof TopologyChangeError) throw new Error(`loop check: ${error.message}`)
    throw error
  }
}

/** 409 `TOPOLOGY_LOOP` with the loop. */
function loopError(loop: readonly LoopStep[]): ApiError {
  const description = describeLoop(loop)
  const edges = [...new Set(loop.flatMap((step) => (step.kind === 'edge' ? [step.edgeId] : [])))]
  return new ApiError(
    409,
    'TOPOLOGY_LOOP',
    `This change would close a loop: ${description}. Only trees and chains can sync: remove, ` +
      `narrow or re-route one of the edges ${edges.join(', ')}`,
    { loop, description, edges },
  )
}

/** 422 `CLUSTER_PROBE_FAILED` naming the first problem, with every probed cluster's report. */
function probeError(
  failed: readonly ClusterProbeReport[],
  reports: readonly ClusterProbeReport[],
): ApiError {
  const first = failed[0]!
  const others = failed.reduce((n, report) => n + report.problems.length, 0) - 1
  return new ApiError(
    422,
    'CLUSTER_PROBE_FAILED',
    `Cluster "${first.name}" failed the probe: ${first.problems[0]}` +
      (others > 0 ? ` (and ${others} more problem${others === 1 ? '' : 's'})` : ''),
    { clusters: reports },
  )
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The topology store: every change to clusters and edges goes through it. */
    readonly topology: TopologyService
  }
}

/** Decorates `app.topology`; needs `db` and `topology-events`. */
export default fp(
  async (app: FastifyInstance, options: Omit<TopologyServiceOptions, 'log'>) => {
    app.decorate(
      'topology',
      new TopologyService(app.db, app.topologyEvents, { ...options, log: app.log }),
    )
  },
  { name: 'topology-service', fastify: '5.x', dependencies: ['db', 'topology-events'] },
)
