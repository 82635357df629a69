// The frame of a page that acts on one sweep (edit, delete): crumbs back to the sweep, the heading, the content.
import type { Children } from '@kitajs/html';
import { Layout } from './layout.js';

export interface SweepSubpageProps {
  sweepId: number;
  sweepName: string;
  /** The last crumb and the start of the tab title, e.g. "Edit". */
  step: string;
  heading: string;
  children?: Children;
}

export function SweepSubpage(props: SweepSubpageProps): string {
  return Layout({
    title: `${props.step} ${props.sweepName}`,
    children: (
      <>
        <div class="crumbs">
          <a href="/">Sweeps</a> / <a href={`/sweeps/${props.sweepId}`} safe>{props.sweepName}</a> /{' '}
          <span safe>{props.step}</span>
        </div>
        <div class="page-head">
          <h1 safe>{props.heading}</h1>
        </div>
        {props.children}
      </>
    ),
  });
}
