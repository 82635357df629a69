// A linear scan of JSON text for its nesting depth, run before JSON.parse: parsing a body nested 150,000 levels
// deep costs JSON.parse itself about 180 ms of CPU, so such a body is refused from its bytes instead.
// Not a validator: text that is not JSON is left for JSON.parse to refuse.

/** Nesting any JSON body or JSON form field may have (20,000 levels parse in about 25 ms; the spec's own limit,
 * MAX_SPEC_DEPTH, is far lower and names the field). */
export const MAX_JSON_DEPTH = 20_000;

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b;  // [
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Whether `text` (a string, or UTF-8 bytes) nests objects and arrays deeper than `maxDepth`, outside strings. */
export function jsonNestsDeeperThan(text: string | Uint8Array, maxDepth: number): boolean {
  const at = typeof text === 'string' ? (i: number) => text.charCodeAt(i) : (i: number) => text[i]!;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = at(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    }
  }
  return false;
}

/** A JSON body nested too deeply: a 400 that says so (body-parser's `verify` hook throws it before parsing). */
export class JsonTooDeepError extends Error {
  override readonly name = 'JsonTooDeepError';
  readonly code = 'too_deep';
  readonly status = 400;
  constructor(maxDepth: number) {
    super(`the JSON body is nested deeper than ${maxDepth} levels`);
  }
}
