// Status and verdict badges: a word and a glyph, never colour alone.

const VERDICT_GLYPHS: Record<string, string> = {
  healthy: '✓',
  symmetric: '≡',
  saturated: '⊓',
  dead: '○',
  vanishing: '↘',
  exploding: '↗',
  diverged: '✕',
  not_learning: '—',
};

const VERDICT_WORDS: Record<string, string> = {
  healthy: 'healthy',
  symmetric: 'symmetric',
  saturated: 'saturated',
  dead: 'dead',
  vanishing: 'vanishing',
  exploding: 'exploding',
  diverged: 'diverged',
  not_learning: 'not learning',
};

const STATUS_GLYPHS: Record<string, string> = {
  queued: '…',
  running: '▶',
  succeeded: '✓',
  finished: '✓',
  diverged: '✕',
  failed: '!',
  cancelled: '■',
};

export function verdictGlyph(kind: string): string {
  return VERDICT_GLYPHS[kind] ?? '?';
}

export function verdictWord(kind: string): string {
  return VERDICT_WORDS[kind] ?? kind;
}

/** The CSS-safe form of a status or verdict word (unknown words fall back to "other"). */
function cssWord(word: string): string {
  return /^[a-z_]+$/.test(word) ? word : 'other';
}

export function StatusBadge({ status }: { status: string }): string {
  return (
    <span class={`badge status-${cssWord(status)}`}>
      <span class="glyph" aria-hidden="true" safe>
        {STATUS_GLYPHS[status] ?? '·'}
      </span>
      <span safe>{status}</span>
    </span>
  ) as string;
}

export function VerdictBadge({ kind, count, title }: { kind: string; count?: number; title?: string }): string {
  return (
    <span class={`badge verdict verdict-${cssWord(kind)}`} title={title}>
      <span class="glyph" aria-hidden="true" safe>
        {verdictGlyph(kind)}
      </span>
      <span safe>{verdictWord(kind)}</span>
      {count !== undefined && count > 1 ? <span safe>{`×${count}`}</span> : ''}
    </span>
  ) as string;
}

export function VerdictBadges({ verdicts }: { verdicts: ReadonlyArray<{ kind: string; evidence?: string }> | null }): string {
  if (!verdicts || verdicts.length === 0) return '';
  return (
    <span class="badges">
      {verdicts.map((v) => (
        <VerdictBadge kind={v.kind} title={v.evidence} />
      ))}
    </span>
  ) as string;
}
