// A dashboard card: a <section> labelled by its <h2>, with a head (title, caption, actions on the right) above the
// body. With `hideTitle` the heading is for screen readers only and there is no head row.
import type { Children } from '@kitajs/html';

export interface CardProps {
  /** The section's own id, when htmx swaps the whole card (e.g. "runs-card"). */
  id?: string;
  /** The heading's id; the section is labelled by it. */
  titleId: string;
  title: string;
  /** One line under the title; omitted when empty. */
  caption?: string;
  /** Buttons or forms at the right end of the head. */
  actions?: Children;
  /** Keep the heading for assistive technology only (no visible head row). */
  hideTitle?: boolean;
  /** Extra attributes on the section, e.g. hx-get / hx-trigger for a card that refreshes itself. */
  attrs?: Record<string, string>;
  children?: Children;
}

export function Card(props: CardProps): string {
  const head = props.hideTitle ? (
    <h2 id={props.titleId} class="visually-hidden" safe>
      {props.title}
    </h2>
  ) : (
    <div class="card-head">
      <div class="card-title">
        <h2 id={props.titleId} safe>
          {props.title}
        </h2>
        {props.caption ? (
          <p class="caption" safe>
            {props.caption}
          </p>
        ) : (
          ''
        )}
      </div>
      {props.actions}
    </div>
  );
  return (
    <section id={props.id} class="card" aria-labelledby={props.titleId} {...props.attrs}>
      {head}
      {props.children}
    </section>
  ) as string;
}
