// A tiny, safe Markdown renderer for sweep notes: paragraphs (a line break stays a line break), *emphasis*,
// **strong**, `code`, "- " / "1. " lists and [links](url). Everything else is text: raw HTML is escaped, never
// passed through, and a link is made only for http(s) URLs and same-site relative paths (never javascript:, data:
// or any other scheme; a refused link stays visible as its escaped source text).
import { escapeHtml } from '@kitajs/html';

// One inline token a time, leftmost first: code (its content is never formatted), link, strong, emphasis.
const INLINE = /`([^`\n]+)`|\[([^\]\n]+)\]\(([^()\s]+)\)|\*\*([^*\n]+)\*\*|\*([^*\n]+)\*|(?<![\w])_([^_\n]+)_(?![\w])/g;

/** An href the notes may link to: http(s) with a host, or a path on this site ("/sweeps/3", "#x", "runs/4"). */
export function isSafeHref(url: string): boolean {
  if (/^https?:\/\/[^\s/]/i.test(url)) return true;
  if (url.startsWith('//') || url.startsWith('\\') || url.includes('\\')) return false; // another host, or a browser's guess
  const scheme = /^([^/?#]*?):/.exec(url);
  return scheme === null; // no "scheme:" before the first / ? #: a relative path
}

/** One line's inline Markdown as HTML; every piece of text escaped. */
export function renderInline(text: string): string {
  let html = '';
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    html += escapeHtml(text.slice(last, m.index));
    last = m.index + m[0].length;
    const [whole, code, label, href, strong, em1, em2] = m;
    if (code !== undefined) html += `<code>${escapeHtml(code)}</code>`;
    else if (label !== undefined && href !== undefined) {
      html += isSafeHref(href)
        ? `<a href="${escapeHtml(href)}" rel="noopener noreferrer nofollow">${renderInline(label)}</a>`
        : escapeHtml(whole);
    } else if (strong !== undefined) html += `<strong>${renderInline(strong)}</strong>`;
    else html += `<em>${renderInline(em1 ?? em2 ?? '')}</em>`;
  }
  return html + escapeHtml(text.slice(last));
}

type Block = { kind: 'p' | 'ul' | 'ol'; lines: string[] };

const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*\d{1,9}[.)]\s+(.*)$/;

/** Notes as HTML: blocks separated by blank lines or by a change between paragraph and list lines. */
export function renderMarkdown(source: string): string {
  const blocks: Block[] = [];
  for (const line of source.replace(/\r\n?/g, '\n').split('\n')) {
    if (line.trim() === '') {
      blocks.push({ kind: 'p', lines: [] });
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    const kind = bullet ? 'ul' : numbered ? 'ol' : 'p';
    const text = (bullet ?? numbered)?.[1] ?? line.trim();
    const open = blocks.at(-1);
    if (open && open.kind === kind && (kind !== 'p' || open.lines.length > 0)) open.lines.push(text);
    else if (open && open.kind === 'p' && open.lines.length === 0) blocks[blocks.length - 1] = { kind, lines: [text] };
    else blocks.push({ kind, lines: [text] });
  }
  return blocks.filter((b) => b.lines.length > 0).map((b) => b.kind === 'p'
    ? `<p>${b.lines.map(renderInline).join('<br>')}</p>`
    : `<${b.kind}>${b.lines.map((l) => `<li>${renderInline(l)}</li>`).join('')}</${b.kind}>`).join('');
}

/** `<Markdown source={notes} />`: the rendered notes in a view (the output is escaped by construction above). */
export function Markdown({ source }: { source: string }): string {
  return renderMarkdown(source);
}
