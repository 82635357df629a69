// Request guards: same-origin checks for state-changing requests, an access token off loopback, and the
// response headers that keep pages from being framed or running anything initlab did not serve.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { ForbiddenError, HttpError } from './errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const TOKEN_COOKIE = 'initlab_token';

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Refuses state-changing requests that a browser marks as coming from another site. Browsers send
 * `Sec-Fetch-Site` (and `Origin`) on POSTs; a request from the dashboard is `same-origin`. Clients that are
 * not browsers (curl, scripts) send neither, and cannot be steered by another site, so they pass.
 */
export function sameOriginGuard(req: Request, _res: Response, next: NextFunction) {
  if (SAFE_METHODS.has(req.method)) return next();
  const site = req.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') {
    return next(new ForbiddenError(`cross-site ${req.method} refused (Sec-Fetch-Site: ${site})`));
  }
  const origin = req.get('origin');
  if (origin && origin !== 'null') {
    let originUrl: URL;
    try {
      originUrl = new URL(origin);
    } catch {
      return next(new ForbiddenError(`malformed Origin header refused`));
    }
    // Scheme and host both: https://host is another origin than http://host.
    if (originUrl.host !== req.get('host') || originUrl.protocol !== `${req.protocol}:`) {
      return next(new ForbiddenError(`cross-origin ${req.method} from ${origin} refused`));
    }
  } else if (origin === 'null') {
    return next(new ForbiddenError(`${req.method} from an opaque origin refused`));
  }
  next();
}

/** The host name of a Host header value: "127.0.0.1:3000" → "127.0.0.1", "[::1]:3000" → "[::1]". */
function hostName(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  return hostHeader.split(':')[0]!;
}

/**
 * Without a token the server trusts only loopback, so it must also answer only to loopback names: a page on
 * another site whose DNS name was re-pointed at 127.0.0.1 (DNS rebinding) sends its own name as Host.
 */
export function loopbackHostGuard(req: Request, _res: Response, next: NextFunction) {
  const host = req.get('host');
  if (!host || !isLoopbackHost(hostName(host).toLowerCase())) {
    return next(new ForbiddenError(`requests must address this server by a loopback name, not ${host ?? '(no Host)'}`));
  }
  next();
}

function readCookie(req: Request, name: string): string | undefined {
  const header = req.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(rest.join('='));
    } catch {
      return undefined; // malformed percent-encoding: no token, not a server error
    }
  }
  return undefined;
}

/** Compares digests of equal length, so neither the time taken nor an early exit reveals the token's length. */
export function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * Content-Security-Policy and friends on every response: scripts and connections only from initlab itself (no
 * CDN, no inline script), no framing (clickjacking), no MIME sniffing. Inline style attributes stay allowed:
 * the heatmap colours its cells with them.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
  "connect-src 'self'", "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function securityHeaders(_req: Request, res: Response, next: NextFunction) {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'same-origin');
  next();
}

/**
 * With a token configured, every request must carry it: `Authorization: Bearer <token>`, the cookie set by
 * opening any page once with `?token=<token>`, or that query parameter itself.
 */
export function tokenGuard(token: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const fromQuery = typeof req.query.token === 'string' ? req.query.token : undefined;
    const auth = req.get('authorization');
    const fromHeader = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    const presented = fromHeader ?? fromQuery ?? readCookie(req, TOKEN_COOKIE);
    if (!presented || !sameSecret(presented, token)) {
      return next(new HttpError(401, 'unauthorized', 'an access token is required (INITLAB_TOKEN)'));
    }
    if (fromQuery) {
      res.cookie(TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/', secure: req.secure });
      if (req.method === 'GET' && !req.path.startsWith('/api/')) {
        // Drop the token from the address bar (and history) once the cookie carries it.
        const url = new URL(req.originalUrl, 'http://initlab.invalid');
        url.searchParams.delete('token');
        return res.redirect(303, url.pathname + url.search);
      }
    }
    next();
  };
}
