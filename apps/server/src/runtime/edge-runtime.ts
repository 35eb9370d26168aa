/**
 * One edge at run time: its one (one-way) or two (active-active) directions, sharing one client id
 * (spec §5.1), started, paused, resumed, re-configured and stopped together. Nothing here touches
 * another edge. Callers serialize operations on one edge (the replication service queues them).
 *
 *   start ─► running ◄──── resume ────┐
 *              │  └── pause ─► paused ┘     (pause = drain + save checkpoint, then probe the source)
 *              └───── stop ◄──────┘         (stop = drain + save checkpoint; the runtime is done)
 *
 * A stored edge that cannot run (no filer address, TLS) is an EdgeRuntime with a `problem` and no
 * directions: it shows as `error` until the store fixes it.
 */
import { randomInt } from 'node:crypto'
import type { StopResult } from '@seasync/sync-core'
import type { FastifyBaseLogger } from 'fastify'
import type { DirectionStatus, EdgeStatus } from '../schemas/runtime.js'
import { DirectionRuntime, type DirectionRuntimeOptions } from './direction-runtime.js'
import { sameDirections, type DirectionName, type EdgeSpec } from './edge-spec.js'
import type { LagState } from './lag-state.js'

/** Options of every edge runtime (the client id is the edge's own). */
export type EdgeRuntimeOptions = Omit<DirectionRuntimeOptions, 'clientId' | 'log'> & {
  readonly log: FastifyBaseLogger
}

/** Which state wins when an edge's directions differ: the first in this list. */
const STATE_PRIORITY: readonly LagState[] = [
  'error',
  'stalled',
  'falling-behind',
  'starting',
  'catching-up',
  'paused',
  'in-sync',
]

export class EdgeRuntime {
  private directions: DirectionRuntime[] = []
  /** Random non-zero int32, kept across re-configurations (epochs keep growing, §5.6). */
  private readonly clientId = randomInt(1, 0x7fff_ffff)
  private spec: EdgeSpec | undefined

  private constructor(
    readonly id: string,
    private readonly options: EdgeRuntimeOptions,
    private problem: string | undefined,
    private mode: EdgeSpec['mode'] = 'one-way',
  ) {}

  /** A runtime for `spec`, not started yet. */
  static of(spec: EdgeSpec, options: EdgeRuntimeOptions): EdgeRuntime {
    const runtime = new EdgeRuntime(spec.id, options, undefined, spec.mode)
    runtime.spec = spec
    return runtime
  }

  /** A stored edge that cannot run, shown as `error` with `problem`. */
  static broken(id: string, problem: string, options: EdgeRuntimeOptions): EdgeRuntime {
    return new EdgeRuntime(id, options, problem)
  }

  get paused(): boolean {
    return this.spec?.paused ?? false
  }

  /** Starts the directions as the spec says: replicating, or paused (probing). */
  async start(): Promise<void> {
    const spec = this.spec
    if (spec === undefined) return
    this.directions = spec.directions.map(
      (direction) =>
        new DirectionRuntime(direction, {
          ...this.options,
          clientId: this.clientId,
          log: this.options.log.child({ edge: spec.id, direction: direction.name }),
        }),
    )
    await Promise.all(this.directions.map((d) => (spec.paused ? d.pause() : d.run())))
    this.options.log.info(
      { edge: spec.id, directions: spec.directions.map((d) => d.name), paused: spec.paused },
      spec.paused ? 'edge paused' : 'edge started',
    )
  }

  /**
   * Brings the runtime to `next` (or to the broken state with `problem`). Only a change of what
   * the replicators run (paths, addresses, options, mode) restarts them; a change of `paused`
   * pauses or resumes. Resolves when done.
   */
  async apply(next: EdgeSpec | { problem: string }): Promise<void> {
    if ('problem' in next) {
      await this.stop()
      this.spec = undefined
      this.problem = next.problem
      this.options.log.warn({ edge: this.id, problem: next.problem }, 'edge cannot run')
      return
    }
    const previous = this.spec
    this.problem = undefined
    this.mode = next.mode
    if (previous !== undefined && sameDirections(previous, next)) {
      this.spec = next
      if (previous.paused === next.paused) return
      if (next.paused) {
        await Promise.all(this.directions.map((d) => d.pause()))
        this.options.log.info({ edge: this.id }, 'edge paused')
      } else {
        await Promise.all(this.directions.map((d) => d.run()))
        this.options.log.info({ edge: this.id }, 'edge resumed')
      }
      return
    }
    await this.stop()
    this.spec = next
    await this.start()
  }

  /** Stops every direction, each draining and saving its checkpoint. */
  async stop(): Promise<Partial<Record<DirectionName, StopResult | undefined>>> {
    const directions = this.directions
    this.directions = []
    const results = await Promise.all(directions.map((d) => d.stop()))
    return Object.fromEntries(directions.map((d, i) => [d.spec.name, results[i]]))
  }

  direction(name: DirectionName): DirectionRuntime | undefined {
    return this.directions.find((d) => d.spec.name === name)
  }

  get directionRuntimes(): readonly DirectionRuntime[] {
    return this.directions
  }

  /** The status now, without recording it. */
  status(nowMs: number): EdgeStatus {
    return this.summarize(this.directions.map((d) => d.status(nowMs)))
  }

  /** The status now, recorded as an observation of each direction. */
  observe(nowMs: number): EdgeStatus {
    return this.summarize(this.directions.map((d) => d.observe(nowMs)))
  }

  private summarize(directions: DirectionStatus[]): EdgeStatus {
    const state: LagState =
      this.problem !== undefined
        ? 'error'
        : directions.length === 0
          ? 'starting' // between the stop and the start of a re-configuration
          : (STATE_PRIORITY.find((s) => directions.some((d) => d.state === s)) ?? 'in-sync')
    return {
      edgeId: this.id,
      mode: this.mode,
      paused: this.paused,
      state: this.spec?.paused === true && this.problem === undefined ? pausedOr(state) : state,
      lagSeconds: Math.max(0, ...directions.map((d) => d.lagSeconds)),
      problem: this.problem ?? null,
      directions,
    }
  }
}

/** A paused edge is `paused` unless something is wrong with it. */
function pausedOr(state: LagState): LagState {
  return state === 'error' ? state : 'paused'
}
