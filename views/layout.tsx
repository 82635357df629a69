// The page shell: head, top bar (product name, Sweeps, New sweep, live indicator), main content, scripts.
// Every full page goes through Layout; htmx swaps and SSE messages use the partials alone.
import type { Children } from '@kitajs/html';

export type NavItem = 'sweeps' | 'new' | null;

export interface LayoutProps {
  title: string;
  nav?: NavItem;
  /** Whether the page opens a live stream (with JavaScript the indicator then starts as "connecting…"). */
  live?: boolean;
  children?: Children;
}

// Vendor assets come from node_modules via app.ts (never a CDN). app.js and uPlot are deferred; htmx and its SSE
// extension are plain scripts at the end of the body (see there).
export function Layout({ title, nav = null, live = false, children }: LayoutProps): string {
  return (
    '<!doctype html>' +
    (
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="color-scheme" content="light dark" />
          <link rel="icon" href="data:," />
          <title safe>{`${title} · initlab`}</title>
          <link rel="stylesheet" href="/assets/vendor/uPlot.min.css" />
          <link rel="stylesheet" href="/assets/app.css" />
          {/* app.js first: its listeners must exist before htmx can open a stream (a connection that opened while a
              later script was still loading went unnoticed, leaving the indicator stuck); it touches htmx and uPlot
              only once the document is loaded, when every deferred script has run. */}
          <script src="/assets/app.js" defer></script>
          <script src="/assets/vendor/uPlot.iife.min.js" defer></script>
        </head>
        <body>
          <a class="skip-link" href="#main">Skip to content</a>
          <header class="topbar">
            <div class="topbar-inner">
              <a class="brand" href="/">
                initlab <span>· weight initialization lab</span>
              </a>
              <nav class="topnav" aria-label="Main">
                <a href="/" aria-current={nav === 'sweeps' ? 'page' : undefined}>
                  Sweeps
                </a>
                <a href="/sweeps/new" aria-current={nav === 'new' ? 'page' : undefined}>
                  New sweep
                </a>
              </nav>
              <button type="button" class="btn theme-toggle" id="theme-toggle" hidden>
                Theme: auto
              </button>
              <LiveIndicator live={live} />
            </div>
          </header>
          <main id="main" class="container" tabindex="-1">
            {children}
          </main>
          {/* Plain (not deferred) scripts, last: they run while the document is still loading, so htmx starts at
              DOMContentLoaded, after its SSE extension has registered. Deferred, htmx ran once the body was parsed and
              started with a setTimeout that, on a busy machine, could fire before hx-sse.js had run: the page then
              never opened its stream and stayed "connecting…". */}
          <script src="/assets/vendor/htmx.min.js"></script>
          <script src="/assets/vendor/hx-sse.js"></script>
        </body>
      </html>
    )
  );
}

/**
 * Says whether this page is receiving live updates. The server always says "not live" (true without JavaScript);
 * on a page that follows a stream (`data-follows`) app.js says "connecting…" at once and flips it on the SSE
 * extension's events.
 */
export function LiveIndicator({ live }: { live: boolean }): string {
  return (
    <span id="live" class="live" role="status" aria-live="polite" data-state="idle" data-follows={live ? 'true' : 'false'}>
      <span class="live-dot" aria-hidden="true"></span>
      <span class="live-text">not live</span>
    </span>
  ) as string;
}
