// Hardening found by an attack on a running server: CSP and framing headers on every response, a scheme-checked
// Origin, token comparison without a length leak, and 4xx (never 500) for hostile paths and cookies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, sameSecret } from '../../server/security.js';
import { openServices, type Services } from '../../server/services.js';
import { createFakeExecutor } from '../helpers/fake-executor.js';
import { serveApp } from '../helpers/http.js';

describe('security headers and guards', () => {
  let services: Services;
  let open: Awaited<ReturnType<typeof serveApp>>;
  let tokenServer: Awaited<ReturnType<typeof serveApp>>;
  const TOKEN = 'a-long-enough-test-token';

  beforeAll(async () => {
    services = openServices({ dbFile: ':memory:', executor: createFakeExecutor(1) });
    open = await serveApp(services);
    tokenServer = await serveApp(services, { token: TOKEN });
  });
  afterAll(async () => {
    await open.close();
    await tokenServer.close();
    await services.close();
  });

  it('sends a Content-Security-Policy that allows only initlab\'s own scripts and forbids framing', async () => {
    for (const path of ['/', '/api/sweeps', '/assets/vendor/htmx.min.js', '/no/such/page']) {
      const res = await fetch(open.url + path);
      expect(res.headers.get('content-security-policy'), path).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*unsafe/);
  });

  it('answers 404, not 500, for vendor paths named after Object.prototype members', async () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect((await fetch(`${open.url}/assets/vendor/${name}`)).status, name).toBe(404);
    }
  });

  it('refuses a POST whose Origin has the right host but another scheme', async () => {
    const host = new URL(open.url).host;
    const post = (origin: string) => fetch(`${open.url}/api/sweeps/1/rerun`, { method: 'POST', headers: { origin } });
    expect((await post(`https://${host}`)).status).toBe(403);
    expect((await post(`ftp://${host}`)).status).toBe(403);
    expect((await post(`http://${host}`)).status).not.toBe(403);
  });

  it('answers 401, not 500, to a token cookie with broken percent-encoding', async () => {
    const res = await fetch(`${tokenServer.url}/api/sweeps`, { headers: { cookie: 'initlab_token=%E0%A4%A' } });
    expect(res.status).toBe(401);
    const ok = await fetch(`${tokenServer.url}/api/sweeps`, { headers: { cookie: `initlab_token=${TOKEN}` } });
    expect(ok.status).toBe(200);
  });

  it('compares tokens by digest, so tokens of any length compare without throwing', () => {
    expect(sameSecret(TOKEN, TOKEN)).toBe(true);
    expect(sameSecret('x', TOKEN)).toBe(false);
    expect(sameSecret(TOKEN + 'x', TOKEN)).toBe(false);
    expect(sameSecret('', TOKEN)).toBe(false);
  });
});
