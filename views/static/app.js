// initlab dashboard client: the live indicator, uPlot charts drawn from data-chart JSON (re-drawn when a swap
// changes the attribute), live chart points from the run stream's `epochs` events, the compare selection, the
// compare page's polling, focus on the first form problem, heatmap cell selection with arrow keys, the runs table's
// live rows (fetched when the sweep stream names them changed), and the theme.
// Plain script, no build step; htmx 4 and hx-sse.js do the requests, swaps and streams.
(() => {
  'use strict';

  // ---- live indicator ------------------------------------------------------------------------------------------

  const indicator = () => document.getElementById('live');
  function setLive(state, text) {
    const el = indicator();
    if (!el) return;
    if (el.dataset.state === state) return;
    el.dataset.state = state;
    const label = el.querySelector('.live-text');
    if (label) label.textContent = text;
  }

  document.addEventListener('htmx:sse:after:connection', () => setLive('connected', 'live'));
  document.addEventListener('htmx:sse:before:connection', (event) => {
    const attempt = event.detail && event.detail.connection ? event.detail.connection.attempt : 0;
    if (attempt > 0) setLive('reconnecting', 'reconnecting…');
  });
  document.addEventListener('htmx:sse:error', () => setLive('reconnecting', 'reconnecting…'));
  document.addEventListener('htmx:sse:close', (event) => {
    const reason = event.detail && event.detail.reason;
    if (reason === 'message') setLive('idle', 'finished · up to date');
    else if (reason === 'removed' || reason === 'cleanup') {
      // the stream's element was swapped (e.g. a new heatmap metric); its replacement connects on its own
    } else setLive('idle', 'not live');
  });
  document.addEventListener('visibilitychange', () => {
    if (document.hidden && indicator() && indicator().dataset.state === 'connected') setLive('paused', 'paused (tab hidden)');
  });

  // ---- charts -------------------------------------------------------------------------------------------------

  const charts = new WeakMap(); // container → { plot, spec, json }

  // A colour variable resolved to rgb(): the variables hold light-dark(…, …), which a canvas cannot parse.
  function cssVar(name, fallback) {
    const probe = document.createElement('span');
    probe.style.color = `var(${name}, ${fallback})`;
    document.body.appendChild(probe);
    const value = getComputedStyle(probe).color;
    probe.remove();
    return value || fallback;
  }
  // shared with the page scripts loaded after this one (parcoords.js)
  window.initlab = Object.assign(window.initlab || {}, { cssVar });

  function hasPositive(data) {
    for (let s = 1; s < data.length; s++) for (const v of data[s]) if (v !== null && v > 0) return true;
    return false;
  }

  // ---- chart controls: zoom, pan, log/linear, smoothing -----------------------------------------------------------

  // Per chart and page, in this tab: { log: boolean, smooth: 'off' | 'light' | 'strong' }.
  const SMOOTHING = { off: 0, light: 0.6, strong: 0.85 }; // EMA weight of the previous smoothed value
  function prefsKey(el) {
    return `initlab:chart:${location.pathname}:${el.id}`;
  }
  function readPrefs(el, spec) {
    const prefs = { log: Boolean(spec.yLog), smooth: 'off' };
    try {
      const saved = JSON.parse(sessionStorage.getItem(prefsKey(el)) || '{}');
      if (spec.yLog && typeof saved.log === 'boolean') prefs.log = saved.log;
      if (Object.hasOwn(SMOOTHING, saved.smooth)) prefs.smooth = saved.smooth;
    } catch {
      // unreadable or refused storage: the defaults
    }
    return prefs;
  }
  function writePrefs(el, prefs) {
    try {
      sessionStorage.setItem(prefsKey(el), JSON.stringify(prefs));
    } catch {
      // storage refused: the choice lasts until the chart is redrawn
    }
  }

  /** An exponential moving average per series, restarting after each gap; x is left alone. Display only. */
  function smoothData(data, weight) {
    if (!weight) return data.map((column) => column.slice());
    return data.map((column, s) => {
      if (s === 0) return column.slice();
      let last = null;
      return column.map((v) => {
        if (v === null || v === undefined) return (last = null);
        last = last === null ? v : weight * last + (1 - weight) * v;
        return last;
      });
    });
  }

  /** The x range a chart shows unzoomed: from 0 (or the first x) to the configured last epoch or the last x. */
  function fullX(spec, data) {
    const x = data[0];
    const first = x.length ? Math.min(0, x[0]) : 0;
    const last = Math.max(spec.xMax || 0, x.length ? x[x.length - 1] : 0, first + 1);
    return { min: first, max: last };
  }

  // The zoomed x window of each chart (by page and id), kept while the page is open: a chart drawn anew by a swap
  // (the compare page re-fetches its body every 2 s while its runs train) shows its predecessor's window.
  const zoomWindows = new Map();

  function rememberZoom(chart) {
    if (!chart.plot || !chart.key) return;
    if (isZoomed(chart)) zoomWindows.set(chart.key, { min: chart.plot.scales.x.min, max: chart.plot.scales.x.max });
    else zoomWindows.delete(chart.key);
  }

  /** Shows a remembered window again, within the new data's full range. */
  function restoreZoom(chart, range) {
    const full = fullX(chart.spec, chart.data);
    const min = Math.max(full.min, range.min);
    const max = Math.min(full.max, range.max);
    if (max > min) chart.plot.setScale('x', { min, max });
  }

  function isZoomed(chart) {
    const full = fullX(chart.spec, chart.data);
    const sc = chart.plot.scales.x;
    return Math.abs(sc.min - full.min) > 1e-9 || Math.abs(sc.max - full.max) > 1e-9;
  }

  function resetZoom(chart) {
    chart.plot.setScale('x', fullX(chart.spec, chart.data)); // y scales are automatic and follow
  }

  /** Shows the x window [min, max] moved by `delta` x units, kept within the full range. */
  function shiftX(chart, min, max, delta) {
    const full = fullX(chart.spec, chart.data);
    const shift = Math.max(full.min - min, Math.min(full.max - max, delta));
    chart.plot.setScale('x', { min: min + shift, max: max + shift });
  }

  /** Moves the x window by a fraction of its width (the ◀ ▶ buttons). */
  function pan(chart, fraction) {
    const { min, max } = chart.plot.scales.x;
    shiftX(chart, min, max, (max - min) * fraction);
  }

  /** Shift-drag on the plot pans instead of zooming: the window follows the pointer until the button is released. */
  function startShiftPan(chart, down) {
    const { min, max } = chart.plot.scales.x;
    const unitsPerPx = (max - min) / Math.max(1, chart.plot.over.clientWidth);
    const move = (e) => shiftX(chart, min, max, -(e.clientX - down.clientX) * unitsPerPx);
    const up = () => {
      document.removeEventListener('mousemove', move);
      document.removeEventListener('mouseup', up);
    };
    document.addEventListener('mousemove', move);
    document.addEventListener('mouseup', up);
    down.preventDefault();
  }

  /** The buttons above a chart (built here, so that without JavaScript nothing offers what cannot work). */
  function buildTools(el, spec, prefs) {
    const previous = el.previousElementSibling;
    if (previous && previous.classList.contains('chart-tools')) previous.remove();
    const tools = document.createElement('div');
    tools.className = 'chart-tools';
    tools.setAttribute('role', 'group');
    const title = el.parentElement.querySelector('.chart-title');
    tools.setAttribute('aria-label', `Chart controls${title ? `: ${title.textContent.trim()}` : ''}`);
    tools.dataset.for = el.id;
    const button = (text, label, action) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'btn small';
      b.textContent = text;
      b.setAttribute('aria-label', label);
      b.dataset.action = action;
      tools.appendChild(b);
      return b;
    };
    if (spec.yLog) {
      const log = button(prefs.log ? 'y: log' : 'y: linear', 'Logarithmic y axis', 'log');
      log.setAttribute('aria-pressed', String(prefs.log));
    }
    if (spec.xLabel === 'epoch') {
      const label = document.createElement('label');
      label.textContent = 'Smoothing ';
      const select = document.createElement('select');
      select.dataset.action = 'smooth';
      for (const [value, text] of [['off', 'off'], ['light', 'light'], ['strong', 'strong']]) {
        const option = document.createElement('option');
        option.value = value;
        option.textContent = text;
        select.appendChild(option);
      }
      select.value = prefs.smooth;
      label.appendChild(select);
      tools.appendChild(label);
    }
    button('◀', 'Pan left', 'pan-left');
    button('▶', 'Pan right', 'pan-right');
    button('Reset zoom', 'Reset zoom', 'reset');
    const hint = document.createElement('span');
    hint.className = 'chart-hint';
    hint.textContent = 'drag to zoom · shift-drag pans · double-click resets';
    tools.appendChild(hint);
    el.parentElement.insertBefore(tools, el);
  }

  document.addEventListener('click', (event) => {
    const b = event.target.closest && event.target.closest('.chart-tools button');
    if (!b) return;
    const el = document.getElementById(b.parentElement.dataset.for);
    const chart = el && charts.get(el);
    if (!chart) return;
    if (b.dataset.action === 'reset') resetZoom(chart);
    else if (b.dataset.action === 'pan-left') pan(chart, -0.25);
    else if (b.dataset.action === 'pan-right') pan(chart, 0.25);
    else if (b.dataset.action === 'log') {
      writePrefs(el, { ...chart.prefs, log: !chart.prefs.log });
      redraw(el);
    }
  });

  document.addEventListener('change', (event) => {
    const select = event.target;
    if (!select.matches || !select.matches('.chart-tools select[data-action="smooth"]')) return;
    const el = document.getElementById(select.closest('.chart-tools').dataset.for);
    const chart = el && charts.get(el);
    if (!chart) return;
    chart.prefs = { ...chart.prefs, smooth: select.value };
    writePrefs(el, chart.prefs);
    showData(chart, false);
  });

  /** Draws the chart's raw data, smoothed if asked; keeps a zoomed x window, else shows the full range. */
  function showData(chart, first) {
    const zoomed = !first && isZoomed(chart) ? { min: chart.plot.scales.x.min, max: chart.plot.scales.x.max } : null;
    chart.plot.setData(smoothData(chart.data, SMOOTHING[chart.prefs.smooth]), true);
    chart.plot.setScale('x', zoomed || fullX(chart.spec, chart.data));
  }

  function redraw(el) {
    const chart = charts.get(el);
    if (chart) chart.plot.destroy();
    charts.delete(el);
    drawChart(el);
  }

  function buildOptions(spec, width, chart) {
    const text = cssVar('--muted', '#5b6470');
    const grid = cssVar('--line', '#dde1e6');
    const log = chart.logActive;
    const axis = (label) => ({ label, stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } });
    const yScale = log ? { distr: 3, log: 10 } : spec.yRange ? { range: spec.yRange } : {};
    // x is an epoch or a layer index: whole-number ticks only.
    const xAxis = { ...axis(spec.xLabel), incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] };
    const yAxis = axis(spec.yLabel + (log ? ' (log)' : ''));
    if (log) {
      // Label and grid only the powers of ten; a loss spanning 1e-15..1 would otherwise print a wall of zeros.
      const decade = (v) => v > 0 && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9;
      // Within less than two decades: the 1-2-5 steps if there are enough of them, else every split.
      const mantissa = (v) => Math.round(v / 10 ** Math.floor(Math.log10(v) + 1e-9));
      const nice = (v) => v > 0 && [1, 2, 5].includes(mantissa(v)) && Math.abs(v / 10 ** Math.floor(Math.log10(v) + 1e-9) - mantissa(v)) < 1e-6;
      const wide = (splits) => splits.filter((v) => v !== null && decade(v)).length >= 2;
      const keep = (splits) => {
        if (wide(splits)) return decade;
        return splits.filter((v) => v !== null && nice(v)).length >= 3 ? nice : () => true;
      };
      yAxis.filter = (u, splits) => {
        const test = keep(splits);
        return splits.map((v) => (v !== null && test(v) ? v : null));
      };
      yAxis.values = (u, splits) => {
        const decadesOnly = wide(splits);
        return splits.map((v) => {
          if (v === null) return '';
          if (!decadesOnly) return String(Number(v.toPrecision(2)));
          const e = Math.round(Math.log10(v));
          return e >= -3 && e <= 4 ? String(Number((10 ** e).toPrecision(1))) : `1e${e}`;
        });
      };
    }
    const format = (v) => (v === null || v === undefined ? '—' : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : String(Number(v.toPrecision(4))));
    return {
      width,
      height: spec.height || 240,
      scales: { x: { time: false }, y: yScale },
      axes: [xAxis, yAxis],
      legend: { show: true, live: true },
      hooks: { setScale: [(u, key) => { if (key === 'x') rememberZoom(chart); }] },
      // Drag zooms x (and y when the drag is mostly vertical too); double-click shows the full range again;
      // shift-drag pans.
      cursor: {
        drag: { x: true, y: !spec.yRange, uni: 40, setScale: true },
        bind: {
          dblclick: () => () => { resetZoom(chart); return null; },
          mousedown: (u, targ, handle) => (e) => {
            if (e.button !== 0) return;
            if (e.shiftKey) startShiftPan(chart, e);
            else if (e.target === targ) handle(e);
          },
        },
      },
      series: [
        { label: spec.xLabel, value: (u, v) => format(v) },
        ...spec.series.map((s) => ({
          label: s.label,
          stroke: cssVar(`--series-${s.palette}`, s.color),
          width: s.width,
          dash: s.dash && s.dash.length ? s.dash : undefined,
          spanGaps: false,
          points: { show: spec.data[0].length <= 40, size: 5 },
          // The legend reads the raw value, whatever the smoothing draws.
          value: (u, v, si, i) => format(i === null || i === undefined ? v : chart.data[si][i]),
        })),
      ],
    };
  }

  function drawChart(el) {
    if (typeof uPlot === 'undefined') return;
    const json = el.getAttribute('data-chart');
    const existing = charts.get(el);
    if (existing && existing.json === json) return;
    if (existing) existing.plot.destroy();
    let spec;
    try {
      spec = JSON.parse(json);
    } catch {
      return;
    }
    for (const child of [...el.childNodes]) child.remove();
    const width = Math.max(240, el.clientWidth || el.parentElement.clientWidth || 480);
    const data = spec.data.map((column) => column.slice());
    const prefs = readPrefs(el, spec);
    const chart = { plot: null, key: prefsKey(el), spec, json, data, prefs, logActive: Boolean(prefs.log && hasPositive(data)) };
    const remembered = zoomWindows.get(chart.key); // read first: drawing the full range forgets it
    // A log axis cannot show values ≤ 0: those become gaps (the server already drops them for log charts).
    if (chart.logActive) for (let s = 1; s < data.length; s++) data[s] = data[s].map((v) => (v !== null && v <= 0 ? null : v));
    chart.plot = new uPlot(buildOptions(spec, width, chart), smoothData(data, SMOOTHING[prefs.smooth]), el);
    charts.set(el, chart);
    // The live uPlot instance, for the browser tests and the curious reader's console.
    Object.defineProperty(el, 'uplot', { value: chart.plot, configurable: true });
    showData(chart, true);
    if (remembered) restoreZoom(chart, remembered);
    buildTools(el, spec, prefs);
    el.dataset.points = String(data[0].length); // how many x values are drawn (tests and curious readers)
    el.dataset.yDistr = chart.logActive ? 'log' : 'linear';
    // Our server-rendered key is for no-JS readers and screenshots; uPlot's legend shows values on hover.
    const key = el.parentElement && el.parentElement.querySelector('.chart-legend');
    if (key) key.style.display = 'none';
  }

  function drawAll(root) {
    const scope = root && root.querySelectorAll ? root : document;
    if (scope.matches && scope.matches('[data-chart]')) drawChart(scope);
    for (const el of scope.querySelectorAll('[data-chart]')) drawChart(el);
  }

  const resize = new ResizeObserver((entries) => {
    for (const entry of entries) {
      const chart = charts.get(entry.target);
      if (!chart) continue;
      const width = Math.max(240, Math.floor(entry.contentRect.width));
      if (Math.abs(width - chart.plot.width) > 2) chart.plot.setSize({ width, height: chart.plot.height });
    }
  });

  function observeCharts(root) {
    const scope = root && root.querySelectorAll ? root : document;
    for (const el of scope.querySelectorAll('[data-chart]')) resize.observe(el);
  }

  // Swaps add chart containers or (morph) change their data-chart attribute: draw whatever is new or changed.
  const mutations = new MutationObserver((records) => {
    const dirty = new Set();
    for (const record of records) {
      if (record.type === 'attributes' && record.target.hasAttribute && record.target.hasAttribute('data-chart')) {
        charts.delete(record.target);
        dirty.add(record.target);
      }
      for (const node of record.addedNodes || []) {
        if (node.nodeType !== 1) continue;
        if (node.matches('[data-chart]')) dirty.add(node);
        for (const el of node.querySelectorAll('[data-chart]')) dirty.add(el);
      }
    }
    if (records.some((record) => record.addedNodes && record.addedNodes.length > 0)) {
      syncCompare();
      syncPolling();
      syncGridTabStop();
    }
    for (const el of dirty) {
      if (!el.isConnected) continue;
      if (!el.querySelector('.uplot') || !charts.has(el)) {
        const previous = charts.get(el);
        if (previous) previous.plot.destroy();
        charts.delete(el);
        drawChart(el);
        resize.observe(el);
      }
    }
  });

  // ---- live chart points (run page) ------------------------------------------------------------------------------

  // An `epochs` event carries {points: [[epoch, trainLoss, valLoss, trainAcc, valAcc], ...]}; append to the
  // charts marked data-live="loss" / "acc" (points at or before the chart's last epoch are ignored).
  document.addEventListener('epochs', (event) => {
    let payload;
    try {
      payload = JSON.parse(event.detail.data);
    } catch {
      return;
    }
    for (const el of document.querySelectorAll('[data-chart]')) {
      const chart = charts.get(el);
      if (!chart || !chart.spec.live) continue;
      const data = chart.data;
      const x = data[0];
      let changed = false;
      for (const [epoch, trainLoss, valLoss, trainAcc, valAcc] of payload.points) {
        if (x.length > 0 && epoch <= x[x.length - 1]) continue;
        const [a, b] = chart.spec.live === 'loss' ? [trainLoss, valLoss] : [trainAcc, valAcc];
        const clean = (v) => (v === null || (chart.logActive && v <= 0) ? null : v);
        x.push(epoch);
        data[1].push(clean(a));
        data[2].push(clean(b));
        changed = true;
      }
      if (!changed) continue;
      // A log scale needs a positive value to exist; rebuild once the first one arrives.
      if (chart.prefs.log && !chart.logActive && hasPositive(data)) {
        chart.spec.data = data;
        chart.plot.destroy();
        charts.delete(el);
        el.setAttribute('data-chart', JSON.stringify(chart.spec));
        continue;
      }
      showData(chart, false);
      el.dataset.points = String(x.length);
    }
  });

  // ---- the open cell panel follows the sweep stream ------------------------------------------------------------

  // The sweep stream sends `cells-changed` after runs train or finish (and with the final state). A cell panel whose
  // runs can still change (data-live="true") re-fetches itself: one request at a time, and once more if events
  // arrived meanwhile, so the last event is never dropped (hx-trigger's default sync would drop it).
  let cellRefresh = null;
  let cellRefreshAgain = false;
  function refreshCell() {
    const card = document.querySelector('#cell-card[data-live="true"]');
    if (!card || !window.htmx) return;
    if (cellRefresh) {
      cellRefreshAgain = true;
      return;
    }
    cellRefresh = Promise.resolve(window.htmx.ajax('GET', card.dataset.url, { source: card, target: card, swap: 'outerHTML' }))
      .catch(() => undefined)
      .finally(() => {
        cellRefresh = null;
        if (cellRefreshAgain) {
          cellRefreshAgain = false;
          refreshCell();
        }
      });
  }
  document.addEventListener('cells-changed', refreshCell);

  // ---- live rows of the runs table follow the sweep stream ----------------------------------------------------

  // The sweep stream names runs that started or finished (`runs-changed`, ids like "3-40,42"); the table shows one
  // page of them. The rows this page shows are fetched from the table's data-rows-url (which carries its chosen
  // columns) and swapped in place (<hx-partial> outerMorph, so ticked boxes and focus survive): one request at a
  // time, and once more for ids that arrived meanwhile, so no change is dropped.
  const changedRows = new Set();
  let rowsFetch = null;

  function parseIdList(text) {
    const ids = [];
    for (const part of String(text).split(',')) {
      const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
      if (!match) continue;
      for (let id = Number(match[1]), last = Number(match[2] || match[1]); id <= last; id++) ids.push(id);
    }
    return ids;
  }

  function fetchChangedRows() {
    if (rowsFetch) return; // the request in flight fetches the rest when it is done
    const body = document.getElementById('runs-body');
    const ids = [...changedRows].filter((id) => document.getElementById(`run-row-${id}`));
    changedRows.clear();
    if (!body || !body.dataset.rowsUrl || ids.length === 0 || !window.htmx) return;
    const url = `${body.dataset.rowsUrl}${body.dataset.rowsUrl.includes('?') ? '&' : '?'}ids=${ids.join(',')}`;
    // swap none: the answer is only <hx-partial>s, each with its own target; an error answer swaps nothing.
    rowsFetch = Promise.resolve(window.htmx.ajax('GET', url, { source: body, target: body, swap: 'none' }))
      .catch(() => undefined)
      .finally(() => {
        rowsFetch = null;
        if (changedRows.size > 0) fetchChangedRows();
      });
  }

  document.addEventListener('runs-changed', (event) => {
    const data = event.detail && event.detail.data;
    // Only rows on this page count: an id is kept only if its row is here now (the table may change page meanwhile).
    for (const id of parseIdList(data)) if (document.getElementById(`run-row-${id}`)) changedRows.add(id);
    fetchChangedRows();
  });

  // ---- theme toggle --------------------------------------------------------------------------------------------

  // Automatic (the system's preference) → light → dark → automatic; the choice is remembered in localStorage and
  // set as data-theme on <html> (app.css switches color-scheme, and light-dark() does the rest).
  const THEME_KEY = 'initlab:theme';
  const THEMES = ['auto', 'light', 'dark'];
  const THEME_WORDS = { auto: 'auto', light: 'light', dark: 'dark' };

  function readTheme() {
    try {
      const theme = localStorage.getItem(THEME_KEY);
      return THEMES.includes(theme) ? theme : 'auto';
    } catch {
      return 'auto';
    }
  }

  function applyTheme(theme) {
    if (theme === 'auto') document.documentElement.removeAttribute('data-theme');
    else document.documentElement.setAttribute('data-theme', theme);
    const button = document.getElementById('theme-toggle');
    if (button) {
      button.hidden = false;
      button.textContent = `Theme: ${THEME_WORDS[theme]}`;
      button.setAttribute('aria-label', `Colour theme: ${theme === 'auto' ? 'automatic, follows the system' : theme}. Change`);
    }
  }
  applyTheme(readTheme()); // as early as the deferred script runs, before the charts are drawn

  document.addEventListener('click', (event) => {
    if (!event.target.closest || !event.target.closest('#theme-toggle')) return;
    const next = THEMES[(THEMES.indexOf(readTheme()) + 1) % THEMES.length];
    try {
      localStorage.setItem(THEME_KEY, next);
    } catch {
      // storage refused: the theme lasts until the next page
    }
    applyTheme(next);
    for (const el of document.querySelectorAll('[data-chart]')) {
      redraw(el); // axes, grid and series take the new colours
    }
  });

  // ---- compare selection ---------------------------------------------------------------------------------------

  // Ticked runs live in this tab's sessionStorage (ids in ticking order), not in the page: they survive table
  // pages, filters, sorting, live row updates and other sweeps' pages, so runs of several sweeps can be compared.
  const SELECTION_KEY = 'initlab:compare';

  function readSelection() {
    try {
      const ids = JSON.parse(sessionStorage.getItem(SELECTION_KEY) || '[]');
      return Array.isArray(ids) ? ids.filter((id) => Number.isInteger(id) && id > 0) : [];
    } catch {
      return [];
    }
  }

  function writeSelection(ids) {
    try {
      if (ids.length === 0) sessionStorage.removeItem(SELECTION_KEY);
      else sessionStorage.setItem(SELECTION_KEY, JSON.stringify(ids));
    } catch {
      // storage refused (private mode quota): the selection then lasts as long as the page
    }
  }

  /** Ticks the boxes of selected runs and labels the tray: how many, and whether the button can go. */
  function syncCompare() {
    const form = document.getElementById('compare-form');
    if (!form) return;
    const ids = readSelection();
    const selected = new Set(ids);
    const onPage = new Set();
    for (const box of document.querySelectorAll('input[type="checkbox"][name="runs"]')) {
      const id = Number(box.value);
      onPage.add(id);
      if (box.checked !== selected.has(id)) box.checked = selected.has(id);
    }
    const max = Number(form.dataset.max) || 8;
    if (form.dataset.count !== String(ids.length)) form.dataset.count = String(ids.length);
    const elsewhere = ids.filter((id) => !onPage.has(id)).length;
    const submit = form.querySelector('.compare-submit');
    const count = form.querySelector('.compare-count');
    const clear = form.querySelector('.compare-clear');
    // Writes only what changed: a write is a mutation, and the observer below calls this again.
    if (submit) {
      const disabled = ids.length < 2 || ids.length > max;
      if (submit.disabled !== disabled) submit.disabled = disabled;
      setText(submit, ids.length === 0 ? 'Compare selected' : `Compare ${ids.length} selected`);
    }
    if (count) {
      setText(count, ids.length === 0 ? `tick 2 to ${max} runs`
        : ids.length < 2 ? '1 selected: tick one more'
          : ids.length > max ? `${ids.length} selected: at most ${max}`
            : elsewhere > 0 ? `${elsewhere} of them on other pages or sweeps` : '');
    }
    if (clear && clear.hidden !== (ids.length === 0)) clear.hidden = ids.length === 0;
  }

  function setText(el, text) {
    if (el.textContent !== text) el.textContent = text;
  }

  // A morph may update a row in place (no added nodes) and reset its box: re-tick after every swap too.
  document.addEventListener('htmx:after:swap', syncCompare);
  document.addEventListener('htmx:after:settle', syncCompare);

  document.addEventListener('change', (event) => {
    const box = event.target;
    if (!box.matches || !box.matches('input[type="checkbox"][name="runs"]')) return;
    const id = Number(box.value);
    const ids = readSelection().filter((other) => other !== id);
    if (box.checked) ids.push(id);
    writeSelection(ids);
    syncCompare();
  });

  document.addEventListener('click', (event) => {
    if (!event.target.closest || !event.target.closest('#compare-form .compare-clear')) return;
    writeSelection([]);
    syncCompare();
  });

  document.addEventListener('submit', (event) => {
    if (event.target.id !== 'compare-form') return;
    const ids = readSelection();
    event.preventDefault();
    if (ids.length >= 2) window.location.assign(`/compare?runs=${ids.join(',')}`);
  });

  // ---- pages that poll (compare) ---------------------------------------------------------------------------------

  // The compare page has no stream of its own (it may show runs of several sweeps): while a run on it can change,
  // its body re-fetches itself every few seconds (hx-trigger="every 2s"); the indicator says which it is.
  function syncPolling() {
    const body = document.querySelector('[data-poll]');
    if (!body) return;
    if (body.dataset.poll === 'live') setLive('connected', `live · refreshed every ${body.dataset.every || '2 s'}`);
    else setLive('idle', 'finished · up to date');
  }

  // ---- form errors -------------------------------------------------------------------------------------------------

  // A 422 swaps the new-sweep form whole; the first field with a problem carries `autofocus`, which browsers apply
  // on page load only: focus it after the swap too (the sticky footer is kept clear by scroll-padding in app.css).
  // Each form element is handled once (marked), so a preview swap inside it never moves focus while typing.
  function focusFirstProblem() {
    const form = document.getElementById('sweep-form');
    if (!form || form.dataset.focused) return;
    form.dataset.focused = 'true';
    const first = form.querySelector('[autofocus]');
    if (first && document.activeElement !== first) first.focus();
  }
  document.addEventListener('htmx:after:settle', focusFirstProblem);

  // ---- heatmap cell selection and arrow keys ---------------------------------------------------------------------

  // The heatmap is one tab stop (the selected cell, else the last focused, else the first); arrow keys, Home and End
  // move between cells, skipping empty combinations. Without JavaScript every cell is its own link and tab stop.
  let gridFocus = null; // [row, col] of the cell that holds the tab stop

  function gridCells() {
    return [...document.querySelectorAll('.heatmap .cell')];
  }

  function cellKey(cell) {
    return [cell.dataset.row, cell.dataset.col];
  }

  function syncGridTabStop() {
    const cells = gridCells();
    if (cells.length === 0) return;
    const current = cells.find((c) => c.getAttribute('aria-current') === 'true');
    const remembered = gridFocus && cells.find((c) => c.dataset.row === gridFocus[0] && c.dataset.col === gridFocus[1]);
    const stop = remembered || current || cells[0];
    for (const cell of cells) {
      const tabindex = cell === stop ? '0' : '-1';
      if (cell.getAttribute('tabindex') !== tabindex) cell.setAttribute('tabindex', tabindex);
    }
  }

  /** The cell `dr` rows and `dc` columns away, stepping over table cells without a heatmap cell. */
  function neighbour(cell, dr, dc) {
    const td = cell.closest('td');
    const table = cell.closest('table');
    let row = td.parentElement.rowIndex;
    let col = td.cellIndex;
    for (;;) {
      row += dr;
      col += dc;
      const tr = table.rows[row];
      if (!tr || row < 1 || col < 1 || col >= tr.cells.length) return null; // row 0 is the header, column 0 labels
      const next = tr.cells[col].querySelector('.cell');
      if (next) return next;
    }
  }

  document.addEventListener('keydown', (event) => {
    const cell = event.target.closest && event.target.closest('.heatmap .cell');
    if (!cell || event.altKey || event.ctrlKey || event.metaKey) return;
    const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
    let target = null;
    if (moves[event.key]) target = neighbour(cell, moves[event.key][0], moves[event.key][1]);
    else if (event.key === 'Home') target = gridCells()[0];
    else if (event.key === 'End') target = gridCells().at(-1);
    else return;
    event.preventDefault();
    if (!target) return;
    gridFocus = cellKey(target);
    syncGridTabStop();
    target.focus();
  });

  document.addEventListener('click', (event) => {
    const cell = event.target.closest && event.target.closest('.heatmap .cell');
    if (!cell) return;
    for (const other of document.querySelectorAll('.heatmap .cell[aria-current="true"]')) other.removeAttribute('aria-current');
    cell.setAttribute('aria-current', 'true');
    gridFocus = cellKey(cell);
    syncGridTabStop();
  });

  function start() {
    // The server says "not live" (true without JavaScript); a page that follows a stream is connecting now.
    const live = indicator();
    if (live && live.dataset.follows === 'true' && live.dataset.state === 'idle') setLive('connecting', 'connecting…');
    syncGridTabStop();
    focusFirstProblem();
    syncCompare();
    syncPolling();
    drawAll(document);
    observeCharts(document);
    mutations.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-chart'] });
  }

  // This script is deferred and runs before htmx and uPlot (see layout.tsx): start once all of them have run.
  if (document.readyState === 'complete') start();
  else document.addEventListener('DOMContentLoaded', start);
})();
