// The error an export request fails with before anything is written: a format, metric or reference cell that does
// not fit. `field` names the request field at fault; the CLI and the API name it their way (a flag, a parameter).

export type ExportField = 'format' | 'pivot' | 'reference';

export class ExportFormatError extends Error {
  override readonly name = 'ExportFormatError';
  readonly code = 'unsupported_format';
  readonly status = 400;
  constructor(message: string, readonly field: ExportField = 'format') {
    super(message);
  }
}
