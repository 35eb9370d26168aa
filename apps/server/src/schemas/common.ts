/** TypeBox schemas shared by every route (STYLE.md §9): the one error body. */
import { Type, type Static } from 'typebox'

/** `{ error: { code, message, details? } }`: the body of every 4xx and 5xx response. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'stable machine-readable code, e.g. VALIDATION_FAILED' }),
      message: Type.String({ description: 'what went wrong; for 5xx a generic text' }),
      details: Type.Optional(
        Type.Record(Type.String(), Type.Unknown(), { description: 'code-specific data' }),
      ),
    }),
  },
  { title: 'ErrorResponse' },
)
export type ErrorResponse = Static<typeof ErrorResponse>

/** The error responses every API route may send, for its `response` schema. */
export const ErrorResponses = {
  '4xx': ErrorResponse,
  '5xx': ErrorResponse,
} as const
