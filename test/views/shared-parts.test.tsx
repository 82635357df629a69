// The shared view parts from fixture props: the card (structure, optional parts, extra attributes, escaping) and the
// run cells every run table uses.
import { describe, expect, it } from 'vitest';
import { Card } from '../../views/card.js';
import { RunLink, RunOutcomeCells, RunOutcomeHeads, VerdictsCell } from '../../views/run-cells.js';

describe('Card', () => {
  it('labels the section by its heading and puts title, caption and actions in the head', () => {
    const html = Card({
      titleId: 'curves-title',
      title: 'Curves',
      caption: 'Per epoch.',
      actions: '<a class="btn" href="/x">Go</a>',
      children: '<div class="charts"></div>',
    });
    expect(html).toBe(
      '<section class="card" aria-labelledby="curves-title"><div class="card-head"><div class="card-title">' +
        '<h2 id="curves-title">Curves</h2><p class="caption">Per epoch.</p></div><a class="btn" href="/x">Go</a></div>' +
        '<div class="charts"></div></section>',
    );
  });

  it('leaves out an empty caption and carries the section id and extra attributes', () => {
    const html = Card({ id: 'runs-card', titleId: 'runs-title', title: 'Runs', caption: '', attrs: { 'hx-swap': 'outerHTML' } });
    expect(html).toBe(
      '<section id="runs-card" class="card" aria-labelledby="runs-title" hx-swap="outerHTML"><div class="card-head">' +
        '<div class="card-title"><h2 id="runs-title">Runs</h2></div></div></section>',
    );
  });

  it('keeps a hidden title for screen readers only, without a head row', () => {
    const html = Card({ titleId: 'status-title', title: 'Status', hideTitle: true, caption: 'unused', children: 'body' });
    expect(html).toBe('<section class="card" aria-labelledby="status-title"><h2 id="status-title" class="visually-hidden">Status</h2>body</section>');
  });

  it('escapes the title and caption', () => {
    const html = Card({ titleId: 't', title: '<b>x</b>', caption: '"a" & <i>' });
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;b>x&lt;/b>');
    expect(html).not.toContain('<i>');
  });
});

describe('run cells', () => {
  it('puts the verdicts first and the process status last, cells in the order of their headers', () => {
    expect(RunOutcomeHeads()).toBe('<th scope="col">Verdicts</th><th scope="col" class="num">Val. acc.</th>'
      + '<th scope="col" class="num">Val. loss</th><th scope="col">Status</th>');
    // a process that succeeded with a network that is dead and exploding: the verdicts lead
    const cells = RunOutcomeCells({ run: { status: 'succeeded', finalValAcc: 0.445, finalValLoss: 0.7,
      verdicts: [{ kind: 'dead' }, { kind: 'exploding' }] } });
    expect(cells.match(/<td/g)).toHaveLength(4);
    const order = ['verdict-dead', 'verdict-exploding', '44.5%', '0.7', 'status-succeeded'].map((s) => cells.indexOf(s));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('links a run by number and wraps verdicts only when asked', () => {
    expect(RunLink({ id: 7 })).toBe('<a href="/runs/7">#7</a>');
    expect(VerdictsCell({ verdicts: null })).toBe('<td class="verdicts-cell"></td>');
    expect(VerdictsCell({ verdicts: [{ kind: 'dead' }], wrap: true })).toMatch(/^<td class="wrap verdicts-cell"><span class="badges">/);
  });
});
