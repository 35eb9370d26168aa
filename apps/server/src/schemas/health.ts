/** TypeBox schemas of the health routes. */
import { Type, type Static } from 'typebox'

/** `GET /api/v1/health/live`: the process serves HTTP. */
export const LivenessResponse = Type.Object({ status: Type.Literal('ok') })
export type LivenessResponse = Static<typeof LivenessResponse>

/** `GET /api/v1/health`: every readiness check passed (each one `'ok'`). */
export const ReadinessResponse = Type.Object({
  status: Type.Literal('ok'),
  checks: Type.Object({ db: Type.Literal('ok') }),
})
export type ReadinessResponse = Static<typeof ReadinessResponse>
