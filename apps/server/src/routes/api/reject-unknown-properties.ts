/**
 * Unknown properties are refused, not dropped. Fastify's Ajv runs with `removeAdditional: true`,
 * which silently deletes properties an `additionalProperties: false` schema does not list: a typo
 * such as `{ "exclude": [...] }` for `excludes` would be stored as "no excludes". This
 * `preValidation` hook walks the route's body and querystring schemas first and answers 400
 * `VALIDATION_FAILED` naming each unknown property (`body/a/exclude is not allowed`), in the same
 * shape as every other schema failure.
 */
import type { FastifyRequest, preValidationAsyncHookHandler } from 'fastify'
import type { DraftIssue } from '../../services/topology-draft.js'
import { validationError } from '../../services/topology-draft.js'

interface SchemaNode {
  readonly type?: unknown
  readonly properties?: Readonly<Record<string, SchemaNode>>
  readonly additionalProperties?: unknown
  readonly items?: SchemaNode
  readonly anyOf?: readonly SchemaNode[]
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The unknown properties of `value` under `schema`, as issues at `field`. */
export function unknownProperties(schema: SchemaNode, value: unknown, field: string): DraftIssue[] {
  if (Array.isArray(value) && schema.items !== undefined) {
    const items = schema.items
    return value.flatMap((item, i) => unknownProperties(items, item, `${field}/${i}`))
  }
  if (!isObject(value)) return []
  if (schema.anyOf !== undefined) {
    // A union (e.g. TLS material or null): walk the one object branch, if there is exactly one.
    const objects = schema.anyOf.filter((branch) => branch.properties !== undefined)
    return objects.length === 1 ? unknownProperties(objects[0]!, value, field) : []
  }
  const properties = schema.properties
  if (properties === undefined) return []
  return Object.entries(value).flatMap(([key, inner]) => {
    const child = properties[key]
    if (child !== undefined) return unknownProperties(child, inner, `${field}/${key}`)
    return schema.additionalProperties === false
      ? [{ field: `${field}/${key}`, message: 'is not allowed' }]
      : []
  })
}

/** The hook: checks `body` and `querystring` against the route's schemas. */
export const rejectUnknownProperties: preValidationAsyncHookHandler = async (
  request: FastifyRequest,
) => {
  const schema = request.routeOptions.schema as
    { body?: SchemaNode; querystring?: SchemaNode } | undefined
  const issues = [
    ...(schema?.querystring === undefined
      ? []
      : unknownProperties(schema.querystring, request.query, 'querystring')),
    ...(schema?.body === undefined ? [] : unknownProperties(schema.body, request.body, 'body')),
  ]
  if (issues.length > 0) throw validationError(issues)
}
