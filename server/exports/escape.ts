// Cell encoders for the export formats: CSV (RFC 4180 plus formula neutralisation), Markdown and LaTeX.
// Each takes one already-formatted cell and returns it safe for its format.

/** A cell: text, a number (kept numeric), or null for an empty cell. */
export type Cell = string | number | null;

const FORMULA_START = /^[=+\-@\t\r]/;
const CSV_QUOTE = /[",\r\n]/;

/**
 * RFC 4180 field. Text that a spreadsheet would read as a formula (starts with = + - @ tab or CR) gets a leading
 * single quote (OWASP "CSV injection"); numbers are written plain, so -0.5 stays the number -0.5.
 */
export function csvField(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return String(cell);   // NaN never reaches here (stored as NULL); ±Infinity as text
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return CSV_QUOTE.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRecord(cells: readonly Cell[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}

const MARKDOWN_ESCAPES: Record<string, string> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '|': '&#124;', '\r': ' ', '\n': ' ',
  // No link or image without brackets: `[x](javascript:…)` stays text and `![x](http://…)` loads nothing.
  // Backslashes too, so a name cannot cancel an escape. (Autolinks need <, already an entity.)
  '[': '\\[', ']': '\\]', '\\': '\\\\',
};

/**
 * A GitHub-flavoured Markdown table cell: HTML special characters and the cell separator as entities, brackets
 * and backslashes backslash-escaped (no link or image can form), one line.
 */
export function markdownCell(cell: Cell): string {
  if (cell === null) return '';
  return String(cell).replace(/\r\n|[&<>"|\r\n[\]\\]/g, (ch) => MARKDOWN_ESCAPES[ch] ?? ' ');
}

export function markdownRow(cells: readonly Cell[]): string {
  return `| ${cells.map(markdownCell).join(' | ')} |\n`;
}

const LATEX_ESCAPES: Record<string, string> = {
  '\\': '\\textbackslash{}', '&': '\\&', '%': '\\%', '$': '\\$', '#': '\\#', '_': '\\_', '{': '\\{', '}': '\\}',
  '~': '\\textasciitilde{}', '^': '\\textasciicircum{}', '\r': ' ', '\n': ' ',
  // Not special, but under the default OT1 font encoding < > | print as ¡ ¿ —.
  '<': '\\textless{}', '>': '\\textgreater{}', '|': '\\textbar{}',
};

/** Text safe inside a LaTeX tabular cell: the ten special characters (and < > |) escaped, line breaks flattened. */
export function latexEscape(text: string): string {
  return text.replace(/[\\&%$#_{}~^<>|\r\n]/g, (ch) => LATEX_ESCAPES[ch]);
}

/** A metric for human-facing tables: integers as they are, other numbers to 4 significant digits. */
export function formatMetric(value: number | null): string | null {
  if (value === null) return null;
  if (Number.isInteger(value) || !Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}
