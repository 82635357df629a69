// The parallel-coordinates plot of /sweeps/:id/parallel: draws every run as a line on a canvas from the JSON in
// `data-parcoords`, and turns brushing into the runs table's own filter keys (f.<path>, min./max.<path or metric>,
// status), kept in the address bar and in the "Open these runs in the table" link. The selection count here uses
// the same rules as the store's SQL, so the table shows exactly the runs counted. Plain script, no build step.
(() => {
  'use strict';

  const TOP = 40;        // axis names above, then the axes
  const SLOTS = 46;      // under the metric axis: the "diverged" and "failed" places
  const BOTTOM = 12;
  const SIDE = 12;
  const NEAR_AXIS = 28;  // px either side of an axis that start a brush

  /** A CSS colour variable resolved for the canvas (app.js's helper; it runs first, see layout.tsx). */
  function cssColour(name, fallback) {
    return window.initlab && window.initlab.cssVar ? window.initlab.cssVar(name, fallback) : fallback;
  }

  function fmt(x) {
    return String(Number(x.toPrecision(3)));
  }

  function create(root) {
    const data = JSON.parse(root.dataset.parcoords);
    const canvas = root.querySelector('.pc-canvas');
    const plot = root.querySelector('.pc-plot');
    const card = root.closest('.card');
    const n = data.status.length;
    const axes = data.axes.map((axis, i) => ({ ...axis, cells: data.cells[i] }));
    const metricAxis = {
      kind: 'metric', label: data.metric.label, path: data.metric.key, log: data.metric.log,
      lo: data.metric.lo, hi: data.metric.hi, cells: data.metric.values,
    };
    const all = axes.concat([metricAxis]);
    /** axis index → { lo, hi } (numeric and metric), { index } (categorical) or { status } (metric slots) */
    let brushes = new Map();
    let drag = null;
    let size = { width: 0, height: 0 };

    // ---- scales -------------------------------------------------------------------------------------------------

    function yTop() { return TOP; }
    function yBottom() { return size.height - SLOTS - BOTTOM; }
    function xOf(a) {
      const span = size.width - 2 * SIDE;
      return all.length === 1 ? size.width / 2 : SIDE + (span * a) / (all.length - 1);
    }
    /** A value's place on a numeric axis, 0 (bottom) to 1 (top), kept off the ends. */
    function unit(axis, v) {
      if (axis.hi <= axis.lo) return 0.5;
      const t = axis.log
        ? (Math.log10(Math.max(v, axis.lo)) - Math.log10(axis.lo)) / (Math.log10(axis.hi) - Math.log10(axis.lo))
        : (v - axis.lo) / (axis.hi - axis.lo);
      return 0.04 + 0.92 * Math.min(1, Math.max(0, t));
    }
    function fromUnit(axis, u) {
      const t = (u - 0.04) / 0.92;
      if (axis.hi <= axis.lo) return axis.lo;
      return axis.log
        ? 10 ** (Math.log10(axis.lo) + t * (Math.log10(axis.hi) - Math.log10(axis.lo)))
        : axis.lo + t * (axis.hi - axis.lo);
    }
    function yOfUnit(u) { return yBottom() - u * (yBottom() - yTop()); }
    function unitOfY(y) { return (yBottom() - y) / (yBottom() - yTop()); }
    function slotY(status) { return yBottom() + (status === 'diverged' ? 18 : 36); }
    /** Runs sharing a category fan out a little, so a category's lines show their number. */
    function jitter(axis, r) {
      const band = (yBottom() - yTop()) / axis.values.length;
      return ((((r + 1) * 2654435761) % 997) / 997 - 0.5) * Math.min(14, band * 0.5);
    }
    /** Run r's y on axis a, or null when it is not drawn there. */
    function yOf(a, r) {
      const axis = all[a];
      const v = axis.cells[r];
      if (axis.kind === 'metric') {
        const s = data.status[r];
        if (s === 'd') return slotY('diverged');
        if (s === 'f') return slotY('failed');
        return v === null ? null : yOfUnit(unit(axis, v));
      }
      if (v === null) return null;
      if (axis.kind === 'cat') return yOfUnit((v + 0.5) / axis.values.length) + jitter(axis, r);
      return yOfUnit(unit(axis, v));
    }

    // ---- selection (the store's rules: a metric range never matches a run without the metric) ---------------

    function matches(r) {
      for (const [a, brush] of brushes) {
        const axis = all[a];
        const v = axis.cells[r];
        if (brush.status !== undefined) {
          if (data.status[r] !== (brush.status === 'diverged' ? 'd' : 'f')) return false;
        } else if (brush.index !== undefined) {
          if (v !== brush.index) return false;
        } else if (v === null || (axis.kind === 'metric' && data.status[r] === 'd') || v < brush.lo || v > brush.hi) {
          return false;
        }
      }
      return true;
    }

    function params() {
      const p = new URLSearchParams();
      for (const [a, brush] of [...brushes].sort((x, y) => x[0] - y[0])) {
        const axis = all[a];
        if (brush.status !== undefined) p.set('status', brush.status);
        else if (brush.index !== undefined) p.set(`f.${axis.path}`, axis.values[brush.index]);
        else {
          if (Number.isFinite(brush.lo)) p.set(`min.${axis.path}`, String(brush.lo));
          if (Number.isFinite(brush.hi)) p.set(`max.${axis.path}`, String(brush.hi));
        }
      }
      return p;
    }

    function chipText(a, brush) {
      const axis = all[a];
      if (brush.status !== undefined) return `status = ${brush.status}`;
      if (brush.index !== undefined) return `${axis.label} = ${axis.values[brush.index]}`;
      if (!Number.isFinite(brush.lo)) return `${axis.label} ≤ ${brush.hi}`;
      if (!Number.isFinite(brush.hi)) return `${axis.label} ≥ ${brush.lo}`;
      return `${axis.label} ${brush.lo} – ${brush.hi}`;
    }

    function syncSelection() {
      let count = 0;
      for (let r = 0; r < n; r++) if (matches(r)) count++;
      const p = params();
      const query = p.toString();
      card.querySelector('.pc-count').textContent = brushes.size === 0
        ? `No selection: all ${n} runs.` : `${count} of ${n} runs selected.`;
      const chips = card.querySelector('.pc-chips');
      chips.replaceChildren(...[...brushes].sort((x, y) => x[0] - y[0]).map(([a, brush]) => {
        const li = document.createElement('li');
        li.className = 'chip';
        li.textContent = chipText(a, brush);
        return li;
      }));
      card.querySelector('.pc-open').href = `/sweeps/${data.sweepId}${query ? `?${query}` : ''}#runs-card`;
      const page = new URLSearchParams();
      if (data.metric.key !== 'final_val_acc') page.set('metric', data.metric.key);
      for (const [k, v] of p) page.set(k, v);
      const search = page.toString();
      history.replaceState(history.state, '', `${location.pathname}${search ? `?${search}` : ''}`);
    }

    /** The brushes the address names (what the server applied too), so a reload or a shared link shows them. */
    function readAddress() {
      const q = new URLSearchParams(location.search);
      const next = new Map();
      all.forEach((axis, a) => {
        if (axis.kind === 'cat') {
          const index = axis.values.indexOf(q.get(`f.${axis.path}`));
          if (index >= 0) next.set(a, { index });
          return;
        }
        const lo = Number(q.get(`min.${axis.path}`) ?? NaN);
        const hi = Number(q.get(`max.${axis.path}`) ?? NaN);
        if (q.has(`min.${axis.path}`) || q.has(`max.${axis.path}`)) {
          next.set(a, { lo: Number.isFinite(lo) ? lo : -Infinity, hi: Number.isFinite(hi) ? hi : Infinity });
        } else if (axis.kind === 'metric' && (q.get('status') === 'diverged' || q.get('status') === 'failed')) {
          next.set(a, { status: q.get('status') });
        }
      });
      brushes = next;
    }

    // ---- drawing ------------------------------------------------------------------------------------------------

    function draw() {
      const dpr = window.devicePixelRatio || 1;
      const width = plot.clientWidth;
      const height = width < 600 ? 320 : 400;
      if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
        canvas.width = Math.round(width * dpr);
        canvas.height = Math.round(height * dpr);
        canvas.style.width = `${width}px`;
        canvas.style.height = `${height}px`;
      }
      size = { width, height };
      const ctx = canvas.getContext('2d');
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, width, height);
      const text = cssColour('--text', '#1b1f24');
      const muted = cssColour('--muted', '#5b6470');
      const halo = cssColour('--card', '#ffffff');
      const alpha = Math.max(0.06, Math.min(0.85, 5 / Math.sqrt(Math.max(1, n))));

      // lines: the unselected ones first in grey, then the selected by colour group (one stroke per group)
      const groups = new Map();
      const grey = [];
      for (let r = 0; r < n; r++) {
        if (data.status[r] === 'p' && all[all.length - 1].cells[r] === null) continue;
        if (brushes.size > 0 && !matches(r)) {
          grey.push(r);
          continue;
        }
        const s = data.status[r];
        const v = metricAxis.cells[r];
        let key;
        if (s === 'd') key = 'd';
        else if (s === 'f') key = 'f';
        else {
          const u = (unit(metricAxis, v) - 0.04) / 0.92;
          const t = data.metric.higherIsBetter ? u : 1 - u;
          key = Math.round(t * (data.ramp.length - 1));
        }
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key).push(r);
      }
      const stroke = (runs, colour, opacity, dash) => {
        if (runs.length === 0) return;
        ctx.beginPath();
        for (const r of runs) {
          let started = false;
          for (let a = 0; a < all.length; a++) {
            const y = yOf(a, r);
            if (y === null) { started = false; continue; }
            if (started) ctx.lineTo(xOf(a), y);
            else ctx.moveTo(xOf(a), y);
            started = true;
          }
        }
        ctx.globalAlpha = opacity;
        ctx.strokeStyle = colour;
        ctx.setLineDash(dash);
        ctx.lineWidth = 1.2;
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.globalAlpha = 1;
      };
      stroke(grey, muted, Math.min(0.25, alpha), []);
      for (const [key, runs] of [...groups].sort((x, y) => String(x[0]).localeCompare(String(y[0]), 'en', { numeric: true }))) {
        if (key === 'd') stroke(runs, cssColour('--bar-diverged', '#d55e00'), Math.max(alpha, 0.5), [4, 3]);
        else if (key === 'f') stroke(runs, cssColour('--bar-failed', '#9b1c1c'), Math.max(alpha, 0.5), [1, 3]);
        else stroke(runs, data.ramp[key], alpha, []);
      }

      // axes, their names, ticks and brushes
      ctx.font = '12px system-ui, sans-serif';
      const room = all.length > 1 ? (width - 2 * SIDE) / (all.length - 1) - 10 : width / 2;
      all.forEach((axis, a) => {
        const x = xOf(a);
        const last = a === all.length - 1;
        const first = a === 0;
        ctx.strokeStyle = text;
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(x, yTop());
        ctx.lineTo(x, yBottom());
        ctx.stroke();
        ctx.fillStyle = text;
        ctx.font = '600 12px system-ui, sans-serif';
        ctx.textAlign = first ? 'left' : last ? 'right' : 'center';
        ctx.textBaseline = 'alphabetic';
        const name = `${axis.label}${axis.log ? ' (log)' : ''}`;
        // where axes are close (a phone), names alternate between two lines so that neighbours never touch
        const nameY = room < 110 && a % 2 === 1 ? 30 : 15;
        ctx.fillText(name, first ? x - 4 : last ? x + 4 : x, nameY, room < 110 ? 2 * room : room + 10);
        ctx.font = '11px system-ui, sans-serif';
        ctx.textAlign = last ? 'right' : 'left';
        const labelX = last ? x - 5 : x + 5;
        const label = (t, y) => {
          ctx.lineWidth = 3;
          ctx.strokeStyle = halo;
          ctx.strokeText(t, labelX, y, room);
          ctx.fillStyle = text;
          ctx.fillText(t, labelX, y, room);
        };
        ctx.textBaseline = 'middle';
        if (axis.kind === 'cat') {
          axis.values.forEach((v, i) => label(v, yOfUnit((i + 0.5) / axis.values.length)));
        } else {
          const ticks = axis.ticks ?? (axis.hi > axis.lo ? [axis.lo, fromUnit(axis, 0.5), axis.hi] : [axis.lo]);
          const isAcc = axis.kind === 'metric' && String(axis.path).endsWith('_acc');
          for (const t of ticks) {
            const y = yOfUnit(unit(axis, t));
            ctx.strokeStyle = text;
            ctx.lineWidth = 1;
            ctx.beginPath();
            ctx.moveTo(x - 3, y);
            ctx.lineTo(x + 3, y);
            ctx.stroke();
            label(isAcc ? `${(t * 100).toFixed(1)}%` : fmt(t), y);
          }
        }
        if (axis.kind === 'metric') {
          ctx.fillStyle = muted;
          label('diverged', slotY('diverged'));
          label('failed', slotY('failed'));
        }
        const brush = brushes.get(a);
        if (brush) drawBrush(ctx, a, brush);
      });
      if (drag && drag.moved) {
        ctx.fillStyle = 'rgba(11, 92, 173, 0.18)';
        ctx.fillRect(xOf(drag.axis) - 8, Math.min(drag.y0, drag.y1), 16, Math.abs(drag.y1 - drag.y0));
      }
    }

    function drawBrush(ctx, a, brush) {
      const x = xOf(a);
      const axis = all[a];
      let y0;
      let y1;
      if (brush.status !== undefined) {
        y0 = slotY(brush.status) - 7;
        y1 = slotY(brush.status) + 7;
      } else if (brush.index !== undefined) {
        const band = (yBottom() - yTop()) / axis.values.length;
        y1 = yOfUnit((brush.index + 0.5) / axis.values.length) - band / 2;
        y0 = y1 + band;
      } else {
        y0 = yOfUnit(Number.isFinite(brush.lo) ? unit(axis, brush.lo) : 0);
        y1 = yOfUnit(Number.isFinite(brush.hi) ? unit(axis, brush.hi) : 1);
      }
      ctx.fillStyle = 'rgba(11, 92, 173, 0.16)';
      ctx.strokeStyle = cssColour('--accent', '#0b5cad');
      ctx.lineWidth = 1.5;
      ctx.fillRect(x - 8, Math.min(y0, y1) - 2, 16, Math.abs(y1 - y0) + 4);
      ctx.strokeRect(x - 8, Math.min(y0, y1) - 2, 16, Math.abs(y1 - y0) + 4);
    }

    let frame = 0;
    function redraw() {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        draw();
      });
    }

    // ---- brushing -----------------------------------------------------------------------------------------------

    function axisAt(x) {
      let best = -1;
      let distance = Infinity;
      for (let a = 0; a < all.length; a++) {
        const d = Math.abs(xOf(a) - x);
        if (d < distance) [best, distance] = [a, d];
      }
      const spacing = all.length > 1 ? xOf(1) - xOf(0) : Infinity;
      return distance <= Math.min(NEAR_AXIS, spacing / 2) ? best : -1;
    }

    function pointer(event) {
      const box = canvas.getBoundingClientRect();
      return { x: event.clientX - box.left, y: event.clientY - box.top };
    }

    /** A numeric brush from pixel ys: snapped to the values inside it, else the ends rounded to 3 digits. */
    function rangeBrush(a, yA, yB) {
      const axis = all[a];
      const lo = fromUnit(axis, unitOfY(Math.max(yA, yB)));
      const hi = fromUnit(axis, unitOfY(Math.min(yA, yB)));
      if (axis.kind === 'num') {
        let min = Infinity;
        let max = -Infinity;
        for (const v of axis.cells) {
          if (v !== null && v >= lo && v <= hi) {
            if (v < min) min = v;
            if (v > max) max = v;
          }
        }
        if (min !== Infinity) return { lo: min, hi: max };
      }
      return { lo: Number(lo.toPrecision(3)), hi: Number(hi.toPrecision(3)) };
    }

    function click(a, y) {
      const axis = all[a];
      const current = brushes.get(a);
      if (axis.kind === 'cat') {
        const k = axis.values.length;
        const index = Math.min(k - 1, Math.max(0, Math.floor(unitOfY(y) * k)));
        if (current && current.index === index) brushes.delete(a);
        else brushes.set(a, { index });
      } else if (axis.kind === 'metric' && y > yBottom() + 8) {
        const status = y < yBottom() + 27 ? 'diverged' : 'failed';
        if (current && current.status === status) brushes.delete(a);
        else brushes.set(a, { status });
      } else {
        brushes.delete(a);
      }
    }

    canvas.addEventListener('pointerdown', (event) => {
      const { x, y } = pointer(event);
      const a = axisAt(x);
      if (a < 0) return;
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drag = { axis: a, y0: y, y1: y, moved: false };
    });
    canvas.addEventListener('pointermove', (event) => {
      const { x, y } = pointer(event);
      canvas.style.cursor = drag || axisAt(x) >= 0 ? 'ns-resize' : '';
      if (!drag) return;
      drag.y1 = Math.max(yTop(), Math.min(yBottom(), y));
      if (Math.abs(drag.y1 - drag.y0) >= 5) drag.moved = true;
      redraw();
    });
    const finish = (event) => {
      if (!drag) return;
      const { axis: a, y0, moved } = drag;
      const y1 = moved ? drag.y1 : y0;
      drag = null;
      if (event.type === 'pointercancel') return redraw();
      if (!moved || all[a].kind === 'cat') click(a, moved ? y1 : y0);
      else brushes.set(a, rangeBrush(a, y0, y1));
      syncSelection();
      redraw();
    };
    canvas.addEventListener('pointerup', finish);
    canvas.addEventListener('pointercancel', finish);

    card.querySelector('.pc-clear').addEventListener('click', (event) => {
      event.preventDefault();
      brushes = new Map();
      syncSelection();
      redraw();
    });

    root.classList.add('pc-ready');
    readAddress();
    draw();
    new ResizeObserver(redraw).observe(plot);
    // the theme toggle changes the colours the canvas resolved
    new MutationObserver(redraw).observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  }

  function start() {
    for (const root of document.querySelectorAll('[data-parcoords]')) create(root);
  }
  if (document.readyState === 'complete' || document.readyState === 'interactive') start();
  else document.addEventListener('DOMContentLoaded', start);
})();
