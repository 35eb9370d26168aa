/** SeaweedFS's not-found text; Go clients match this substring (spec §2.2). */
export const NOT_FOUND_TEXT = 'filer: no entry is found in filer store'

/** `filer_pb.FilerError` names a CreateEntry failure is reported with. */
export type FilerErrorCode =
  | 'ENTRY_NAME_TOO_LONG'
  | 'PARENT_IS_FILE'
  | 'EXISTING_IS_DIRECTORY'
  | 'EXISTING_IS_FILE'
  | 'ENTRY_ALREADY_EXISTS'
  | 'PRECONDITION_FAILED'

/** A refused mutation, with the error code CreateEntry reports it under (when it has one). */
export class FilerOperationError extends Error {
  constructor(
    message: string,
    readonly code?: FilerErrorCode,
  ) {
    super(message)
    this.name = 'FilerOperationError'
  }
}

/** The entry does not exist; the message contains {@link NOT_FOUND_TEXT}. */
export class EntryNotFoundError extends Error {
  constructor(message: string) {
    super(message.includes(NOT_FOUND_TEXT) ? message : `${message}: ${NOT_FOUND_TEXT}`)
    this.name = 'EntryNotFoundError'
  }
}

/**
 * A write condition did not hold (HEAD): CreateEntry answers `error_code` PRECONDITION_FAILED with
 * status OK, UpdateEntry fails with gRPC FAILED_PRECONDITION `precondition failed: <path>`.
 */
export class PreconditionFailedError extends FilerOperationError {
  constructor(readonly path: string) {
    super(`precondition failed: ${path}`, 'PRECONDITION_FAILED')
    this.name = 'PreconditionFailedError'
  }
}
