// A sweep's tags as chips (the sweep page's head and the sweep list); nothing when it has none.
export function TagChips({ tags, label }: { tags: string[]; label: string }): string {
  if (tags.length === 0) return '';
  return (
    <ul class="tags" aria-label={label}>
      {tags.map((tag) => (
        <li class="tag" safe>
          {tag}
        </li>
      ))}
    </ul>
  ) as string;
}
