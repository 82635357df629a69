// The dashboard's hosts panel (cluster mode): the worker hosts connected now, with their threads and the runs they
// train. It refreshes itself every few seconds from GET /hosts.
export interface HostItem {
  name: string;
  threads: number;
  runs: number[];
  backend: string;
}

export function HostsPanel({ hosts }: { hosts: readonly HostItem[] }): string {
  const threads = hosts.reduce((sum, host) => sum + host.threads, 0);
  const busy = hosts.reduce((sum, host) => sum + host.runs.length, 0);
  return (
    <div id="hosts-panel" class="hosts-panel" hx-get="/hosts" hx-trigger="every 2s" hx-swap="outerHTML">
      <p class="sub" safe>
        {hosts.length === 0
          ? 'Cluster mode: no worker host connected; runs wait on the queue until one joins (initlab worker --redis …).'
          : `Cluster mode: ${hosts.length} worker host${hosts.length === 1 ? '' : 's'}, ${threads} thread${threads === 1 ? '' : 's'}, ${busy} training now.`}
      </p>
      {hosts.length === 0 ? '' : (
        <ul class="hosts">
          {hosts.map((host) => (
            <li>
              <strong safe>{host.name}</strong>{' '}
              <span class="muted" safe>{`${host.threads} thread${host.threads === 1 ? '' : 's'} · ${host.backend}`}</span>{' '}
              {host.runs.length === 0 ? <span class="muted">idle</span> : host.runs.map((id) => <a class="host-run" href={`/runs/${id}`} safe>{`run ${id}`}</a>)}
            </li>
          ))}
        </ul>
      )}
    </div>
  ) as string;
}
