// The error page: a status, a short message and a way back. Never a stack trace.
import { Layout } from './layout.js';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Access token required',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict',
  413: 'Too large',
  422: 'Invalid input',
  500: 'Something went wrong',
  503: 'Unavailable',
};

export function errorTitle(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Something went wrong' : 'Request refused');
}

export function ErrorPage({ status, message }: { status: number; message: string }): string {
  return Layout({
    title: errorTitle(status),
    children: (
      <div class="error-page card">
        <p class="code">{status}</p>
        <h1 safe>{errorTitle(status)}</h1>
        <p safe>{message}</p>
        <p>
          <a href="/">Back to the sweeps</a>
        </p>
      </div>
    ),
  });
}

/** The same message as a fragment, for htmx requests that swap into part of a page. */
export function ErrorFragment({ status, message }: { status: number; message: string }): string {
  return (
    <div class="form-errors" role="alert">
      <strong safe>{`${status} ${errorTitle(status)}`}</strong>: <span safe>{message}</span>
    </div>
  ) as string;
}
