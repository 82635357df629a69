// A compact list of run ids for the sweep stream's `runs-changed` event: ascending, with runs of consecutive ids
// as ranges ("3-40,42,45-47"), since a sweep's runs start and finish roughly in id order. app.js reads it back.

export function formatIdList(ids: Iterable<number>): string {
  const sorted = [...ids].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] - sorted[j] <= 1) j++;
    parts.push(sorted[j] === sorted[i] ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The ids of a list formatIdList wrote; parts that are not an id or a range are skipped. */
export function parseIdList(text: string): number[] {
  const ids: number[] = [];
  for (const part of text.split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!match) continue;
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    for (let id = first; id <= last; id++) ids.push(id);
  }
  return ids;
}
