import type { FastifyRequest } from 'fastify'

/** Who makes a change through the API, for the audit log: `api:<client address>`. */
export function actorOf(request: FastifyRequest): string {
  return `api:${request.ip}`
}
