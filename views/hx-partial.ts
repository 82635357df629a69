// An <hx-partial>: htmx 4 swaps its content into its own target, in an SSE message or any response alike.
// `target` is a selector the server writes (never user text); the content is already-escaped HTML.

export function hxPartial(target: string, html: string, swap = 'innerMorph'): string {
  return `<hx-partial hx-target="${target}" hx-swap="${swap}">${html}</hx-partial>`;
}
