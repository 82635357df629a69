// Load: a 2,000-run sweep of small nets on a real `initlab serve` (a child process, built dist/), watched by 100
// viewers of its sweep page and an API poller, against the same sweep with nobody watching: page and API latency
// percentiles, events and bytes per viewer, the server's memory at start and end, and throughput watched vs
// unwatched (target ≥ 90%). `npm run bench -- load` (after `npm run build`). Not a test: nothing is asserted.
// A viewer does what the page's script does: it loads its page of the runs table, follows the sweep stream, and
// fetches the rows it shows that a `runs-changed` event names (one request at a time, as app.js).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseIdList } from '../server/id-list.js';

const VIEWERS = 100;
const RUNS = 2000;
const TABLE_PAGES = Math.ceil(RUNS / 25); // the runs table's page size (server/pages/runs-table.ts)
const API_POLL_MS = 200;      // GET /api/sweeps/:id
const PAGE_POLL_MS = 3000;    // GET /sweeps/:id, the 2,000-run page; under the server keep-alive 5 s, whose close races a reuse
const PASSES = Number(process.env.LOAD_PASSES ?? 2); // unwatched and watched, interleaved: this machine's speed wanders
/**
 * The load client's niceness once the server runs (LOAD_CLIENT_NICE, default 19): the 100 viewers and pollers
 * share the server's 2 cores here, where real viewers run on their own machines; at 19 they take only the CPU the
 * server leaves, so the ratio measures the server's cost of being watched. LOAD_CLIENT_NICE=0 shares the cores alike.
 */
const CLIENT_NICE = Number(process.env.LOAD_CLIENT_NICE ?? 19);

const root = fileURLToPath(new URL('..', import.meta.url));

/** 2 inits × 2 activations × 500 seeds of a 2-16-2 net on 300 spirals for 5 epochs: a few ms a run natively. */
function loadSweep(pass: string) {
  return {
    name: `bench: load ${pass}`,
    base: { dataset: { samples: 300 }, model: { hidden: [16] }, train: { epochs: 5 } },
    grid: {
      'model.init': ['xavier_uniform', 'he_normal'], 'model.activation': ['tanh', 'relu'],
      seed: Array.from({ length: RUNS / 4 }, (_, i) => i + 1),
    },
  };
}

interface Server { url: string; child: ChildProcess; close: () => Promise<void> }

async function startServer(dbFile: string): Promise<Server> {
  // LOAD_PROFILE_DIR=dir writes the server's CPU profile there (--cpu-prof) when it stops.
  const profile = process.env.LOAD_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.LOAD_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, 'bin/initlab.js', 'serve', '--port', '0', '--db', dbFile], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /dashboard at (http:\/\/[^/]+)\//.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', () => reject(new Error(`serve exited: ${out}`)));
  });
  return {
    url, child,
    close: () => new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM'); }),
  };
}

/**
 * CPU seconds (user + system) a process has used, or one of its threads (`tid`; the main thread's is the pid).
 * Less sensitive than throughput to other jobs on the machine: what the work cost, not how long it waited.
 */
function cpuSeconds(pid: number, tid?: number): number {
  const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ (100 on Linux)
}

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  return kb / 1024;
}

async function postSweep(url: string, spec: unknown): Promise<number> {
  const res = await fetch(`${url}/api/sweeps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
  if (res.status !== 201) throw new Error(`POST /api/sweeps: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: number }).id;
}

async function sweepStatus(url: string, id: number): Promise<string> {
  return ((await (await fetch(`${url}/api/sweeps/${id}`)).json()) as { status: string }).status;
}

interface Viewer { events: number; bytes: number; rowRequests: number; rowBytes: number; done: Promise<void> }

/**
 * One viewer of a sweep page showing page `page` of its runs table: loads that table (its rows and their
 * data-rows-url), reads the stream to the end (the server closes it when the sweep finishes), and fetches the
 * changed rows it shows, as app.js does: one request at a time, ids that arrive meanwhile in the next one.
 */
function watch(url: string, id: number, page: number): Viewer {
  const viewer: Viewer = { events: 0, bytes: 0, rowRequests: 0, rowBytes: 0, done: Promise.resolve() };
  viewer.done = (async () => {
    const table = await (await fetch(`${url}/sweeps/${id}/runs?page=${page}`)).text();
    const shown = new Set([...table.matchAll(/id="run-row-(\d+)"/g)].map((m) => Number(m[1])));
    const rowsUrl = /data-rows-url="([^"]+)"/.exec(table)![1]!.replaceAll('&amp;', '&');
    const changed = new Set<number>();
    let fetching: Promise<void> | null = null;
    const fetchRows = () => {
      if (fetching || changed.size === 0) return;
      const ids = [...changed];
      changed.clear();
      fetching = (async () => {
        const res = await fetch(`${url}${rowsUrl}${rowsUrl.includes('?') ? '&' : '?'}ids=${ids.join(',')}`);
        viewer.rowBytes += (await res.arrayBuffer()).byteLength;
        viewer.rowRequests++;
      })().finally(() => {
        fetching = null;
        fetchRows();
      });
    };
    const res = await fetch(`${url}/sweeps/${id}/stream`, { headers: { accept: 'text/event-stream' } });
    const decoder = new TextDecoder();
    let pending = '';
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      viewer.bytes += chunk.byteLength;
      pending += decoder.decode(chunk, { stream: true });
      const frames = pending.split('\n\n');
      pending = frames.pop()!;
      for (const frame of frames) {
        if (/^(data|event):/m.test(frame)) viewer.events++;
        if (!frame.startsWith('event: runs-changed\n')) continue;
        for (const runId of parseIdList(/^data: (.*)$/m.exec(frame)![1]!)) if (shown.has(runId)) changed.add(runId);
        fetchRows();
      }
    }
    while (fetching) await fetching;
  })();
  return viewer;
}

/** Requests `path` every `everyMs` until stopped, recording each answer's latency. */
function poll(url: string, path: string, everyMs: number) {
  const latencies: number[] = [];
  const failures: string[] = [];   // counted and shown, never thrown: a throw here would leave the server running
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const t0 = performance.now();
      try {
        const res = await fetch(url + path);
        await res.arrayBuffer();
        if (res.status === 200) latencies.push(performance.now() - t0);
        else failures.push(`${res.status}`);
      } catch (error) {
        failures.push((error as Error).message);
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return { latencies, failures, stop: async () => { stopped = true; await done; } };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

const fmt = (values: number[]) => values.length === 0 ? 'none'
  : `p50 ${percentile(values, 0.5).toFixed(1)} ms, p95 ${percentile(values, 0.95).toFixed(1)} ms, p99 ${percentile(values, 0.99).toFixed(1)} ms, max ${Math.max(...values).toFixed(1)} ms (n ${values.length})`;

function cpuText(cpu: { server: number; main: number; client: number }): string {
  return `CPU: server ${cpu.server.toFixed(1)} s (main thread ${cpu.main.toFixed(1)} s), load client ${cpu.client.toFixed(1)} s`;
}

async function runPass(server: Server, watched: boolean, label: string) {
  // This process's own event-loop delay: a latency figure includes it, so it is shown beside them.
  const clientLag = monitorEventLoopDelay({ resolution: 10 });
  clientLag.enable();
  const pid = server.child.pid!;
  const cpu0 = { server: cpuSeconds(pid), main: cpuSeconds(pid, pid), client: process.cpuUsage() };
  const t0 = performance.now();
  const id = await postSweep(server.url, loadSweep(label));
  // Half the viewers on the table's first page (where the page opens), the others spread over all its pages.
  const viewers = watched ? Array.from({ length: VIEWERS }, (_, i) => watch(server.url, id, i % 2 === 0 ? 1 : 1 + (i % TABLE_PAGES))) : [];
  const api = watched ? poll(server.url, `/api/sweeps/${id}`, API_POLL_MS) : null;
  const page = watched ? poll(server.url, `/sweeps/${id}`, PAGE_POLL_MS) : null;
  while ((await sweepStatus(server.url, id)) === 'running') await new Promise((resolve) => setTimeout(resolve, 50));
  const seconds = (performance.now() - t0) / 1000;
  await api?.stop();
  await page?.stop();
  await Promise.all(viewers.map((v) => v.done));
  clientLag.disable();
  const clientCpu = process.cpuUsage(cpu0.client);
  const cpu = {
    server: cpuSeconds(pid) - cpu0.server, main: cpuSeconds(pid, pid) - cpu0.main,
    client: (clientCpu.user + clientCpu.system) / 1e6,
  };
  const failures = [...(api?.failures ?? []), ...(page?.failures ?? [])];
  const clientLagMs = { p99: clientLag.percentile(99) / 1e6, max: clientLag.max / 1e6 };
  return { seconds, runsPerSecond: RUNS / seconds, viewers, api: api?.latencies ?? [], page: page?.latencies ?? [], failures, clientLagMs, cpu };
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'initlab-load-'));
  const server = await startServer(join(dir, 'load.db'));
  setPriority(CLIENT_NICE); // after the spawn: the server keeps the default priority
  console.log(`the load client runs at nice ${CLIENT_NICE} (LOAD_CLIENT_NICE), the server at 0`);
  try {
    // Warm the pool (threads, modules, JIT) and the page routes before measuring.
    const warm = await postSweep(server.url, { ...loadSweep('warm-up'), grid: { seed: [1, 2, 3, 4, 5, 6, 7, 8] } });
    while ((await sweepStatus(server.url, warm)) === 'running') await new Promise((resolve) => setTimeout(resolve, 50));
    await (await fetch(`${server.url}/sweeps/${warm}`)).text();
    const startMb = rssMb(server.child.pid!);
    const unwatched: Array<Awaited<ReturnType<typeof runPass>>> = [];
    const watched: Array<Awaited<ReturnType<typeof runPass>>> = [];
    for (let pass = 0; pass < PASSES; pass++) {
      const quiet = await runPass(server, false, `unwatched ${pass + 1}`);
      unwatched.push(quiet);
      console.log(`unwatched pass ${pass + 1}: 2,000 runs in ${quiet.seconds.toFixed(1)} s (${quiet.runsPerSecond.toFixed(0)} runs/s); ${cpuText(quiet.cpu)}`);
      const busy = await runPass(server, true, `watched ${pass + 1}`);
      watched.push(busy);
      const events = busy.viewers.map((v) => v.events);
      const mb = busy.viewers.reduce((sum, v) => sum + v.bytes, 0) / 1e6;
      const rowRequests = busy.viewers.reduce((sum, v) => sum + v.rowRequests, 0);
      const rowMb = busy.viewers.reduce((sum, v) => sum + v.rowBytes, 0) / 1e6;
      console.log(`  server RSS ${rssMb(server.child.pid!).toFixed(0)} MB`);
      console.log(`watched pass ${pass + 1}: 2,000 runs in ${busy.seconds.toFixed(1)} s (${busy.runsPerSecond.toFixed(0)} runs/s) with ${VIEWERS} viewers; ${cpuText(busy.cpu)}`);
      console.log(`  this pair: watched ${(100 * busy.runsPerSecond / quiet.runsPerSecond).toFixed(0)}% of unwatched`);
      console.log(`  events per viewer: min ${Math.min(...events)}, median ${percentile(events, 0.5)}, max ${Math.max(...events)}; ${mb.toFixed(2)} MB pushed in all (${(1000 * mb / VIEWERS).toFixed(1)} KB a viewer)`);
      console.log(`  changed rows fetched by the viewers: ${rowRequests} requests, ${rowMb.toFixed(2)} MB in all`);
      console.log(`  API  GET /api/sweeps/:id every ${API_POLL_MS} ms: ${fmt(busy.api)}`);
      console.log(`  page GET /sweeps/:id every ${PAGE_POLL_MS} ms: ${fmt(busy.page)}`);
      console.log(`  the load client's own event-loop delay: p99 ${busy.clientLagMs.p99.toFixed(0)} ms, max ${busy.clientLagMs.max.toFixed(0)} ms`);
      if (busy.failures.length > 0) console.log(`  failed requests: ${busy.failures.length} (${[...new Set(busy.failures)].join('; ')})`);
    }
    const endMb = rssMb(server.child.pid!);
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const idleMb = rssMb(server.child.pid!);
    const sum = (passes: typeof watched, pick: (p: (typeof watched)[number]) => number) => passes.reduce((a, p) => a + pick(p), 0);
    const ratio = sum(watched, (p) => p.runsPerSecond) / sum(unwatched, (p) => p.runsPerSecond);
    const pairs = watched.map((w, i) => w.runsPerSecond / unwatched[i]!.runsPerSecond).sort((a, b) => a - b);
    console.log(`throughput watched / unwatched: ${(100 * ratio).toFixed(0)}% (target ≥ 90%; sums over the passes); `
      + `median of the pairs ${(100 * pairs[Math.floor(pairs.length / 2)]!).toFixed(0)}%`);
    const cpuRatio = (pick: (c: (typeof watched)[number]['cpu']) => number) => (100 * sum(watched, (p) => pick(p.cpu)) / sum(unwatched, (p) => pick(p.cpu))).toFixed(0);
    console.log(`CPU for the same runs, watched / unwatched: server ${cpuRatio((c) => c.server)}%, its main thread ${cpuRatio((c) => c.main)}%; `
      + `the load client (viewers and pollers) ${(sum(watched, (p) => p.cpu.client) / PASSES).toFixed(1)} s a watched pass`);
    console.log(`server memory (RSS, main and training threads): ${startMb.toFixed(0)} MB after warm-up, ${endMb.toFixed(0)} MB after `
      + `${PASSES * 2} sweeps of 2,000 runs, ${idleMb.toFixed(0)} MB after 10 s idle`);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
