// The storage layer's errors: each has a `name`, a stable `code` and the HTTP `status` a route should answer with.
// Routes map them without knowing SQL; `cause` keeps the underlying SQLite error where there is one.

export class StoreError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(message: string, code: string, status: number, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.status = status;
  }
}

/** A sweep or run id that does not exist. */
export class NotFoundError extends StoreError {
  override readonly name = 'NotFoundError';
  constructor(readonly entity: 'sweep' | 'run', readonly id: number) {
    super(`${entity} ${id} not found`, 'not_found', 404);
  }
}

/** A run (or sweep) status change that the state machine in run-status.ts does not allow. */
export class IllegalTransitionError extends StoreError {
  override readonly name = 'IllegalTransitionError';
  constructor(
    readonly entity: 'run' | 'sweep',
    readonly from: string,
    readonly to: string,
    readonly id?: number,
  ) {
    super(`${entity}${id === undefined ? '' : ` ${id}`}: cannot go from '${from}' to '${to}'`, 'illegal_transition', 409);
  }
}

/** A write that breaks a uniqueness rule, e.g. two runs of one sweep with the same config hash. */
export class ConflictError extends StoreError {
  override readonly name = 'ConflictError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'conflict', 409, options);
  }
}

/** Input the store refuses before touching SQL (bad sort key, negative limit...). */
export class InvalidQueryError extends StoreError {
  override readonly name = 'InvalidQueryError';
  constructor(message: string) {
    super(message, 'invalid_query', 400);
  }
}

/** The database file was written by a newer initlab (its schema version is ahead of ours). */
export class SchemaVersionError extends StoreError {
  override readonly name = 'SchemaVersionError';
  constructor(readonly found: number, readonly known: number) {
    super(`database schema version ${found} is newer than this initlab knows (${known}); upgrade initlab`,
      'schema_too_new', 500);
  }
}

/** A sweep that cannot be deleted yet: it is still running, or runs of it are still stopping after a cancel. */
export class SweepBusyError extends StoreError {
  override readonly name = 'SweepBusyError';
  constructor(readonly id: number, reason: string) {
    super(`sweep ${id} ${reason}`, 'sweep_running', 409);
  }
}
