// HTTP-facing errors of the job server: each has a stable `code` and an HTTP `status`.

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpError';
  }
}

export class NotFoundError extends HttpError {
  constructor(what: string, id: string | number) {
    super(404, 'not_found', `${what} ${id} not found`);
    this.name = 'NotFoundError';
  }
}

export class ForbiddenError extends HttpError {
  constructor(message: string) {
    super(403, 'forbidden', message);
    this.name = 'ForbiddenError';
  }
}

/** Reads `status` and `code` from any error that carries them (store, config and HTTP errors alike). */
export function errorStatus(error: unknown): { status: number; code: string; message: string } {
  const e = error as { status?: unknown; statusCode?: unknown; code?: unknown; type?: unknown; message?: unknown };
  const raw = typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : 500;
  const status = raw >= 400 && raw < 600 ? raw : 500;
  // A server-side failure says nothing about its cause (that goes to the log); a client error says what was wrong.
  if (status >= 500) return { status, code: 'internal', message: 'internal server error' };
  let code = typeof e?.code === 'string' ? e.code : 'error';
  if (e?.type === 'entity.too.large') code = 'too_large';
  if (e?.type === 'entity.parse.failed') code = 'bad_json';
  const message = String(e?.message ?? 'error');
  return { status, code, message };
}
