// The streams a CLI command writes to: process.stdout / stderr in use, captured buffers in tests.

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}
