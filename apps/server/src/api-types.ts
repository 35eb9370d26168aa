/**
 * The REST API's request and response types, for clients in TypeScript (the web app imports them
 * as `@seasync/server/api-types`, type-only, so nothing of the server reaches the browser bundle).
 * Each is the static type of the TypeBox schema the route validates with, so the two cannot drift.
 */
export type * from './schemas/clusters.js'
export type * from './schemas/common.js'
export type * from './schemas/edges.js'
export type * from './schemas/health.js'
export type * from './schemas/runtime.js'
export type * from './schemas/topology.js'
