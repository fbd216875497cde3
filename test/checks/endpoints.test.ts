import { describe, expect, it } from 'vitest';
import { check as discovery } from '../../src/checks/discovery.js';
import { check } from '../../src/checks/endpoints.js';
import { useHttpCheckEnv } from '../support/http-check-env.ts';
import { createTestPki } from '../support/pki.ts';

const h = useHttpCheckEnv();
const { ctx, target } = h;

async function endpointsFor(issuer: string, c = ctx()) {
  const t = target(issuer);
  expect((await discovery.run(t, c)).status).toBe('pass');
  return check.run(t, c);
}

describe('endpoints', () => {
  it('passes for the real provider: all endpoints on the issuer host', async () => {
    for (const issuer of [h.org.issuer, h.custom.issuer]) {
      const outcome = await endpointsFor(issuer);
      expect(outcome.status).toBe('pass');
      expect(outcome.detail).toContain(`all endpoints on the issuer host localhost:${new URL(issuer).port}`);
    }
  });

  it('passes listing every host when the JWKS sits on a second, healthy host', async () => {
    const outcome = await endpointsFor(h.fx.issuer('split-ok'));
    const second = new URL(h.fx.secondOrigin);
    expect(outcome.status).toBe('pass');
    expect(outcome.detail).toContain(`localhost:${h.fx.port} (issuer)`);
    expect(outcome.detail).toContain(`127.0.0.1:${second.port} (jwks_uri)`);
  });

  it('a token endpoint host that is closed -> ENDPOINT_UNREACHABLE naming it and why', async () => {
    const outcome = await endpointsFor(h.fx.issuer('split-closed'));
    const host = `127.0.0.1:${h.fx.closedPort}`;
    expect(outcome).toMatchObject({ status: 'fail', code: 'ENDPOINT_UNREACHABLE' });
    expect(outcome.title).toContain(host);
    expect(outcome.detail).toContain(`${host} (token_endpoint, jwks_uri): TCP_REFUSED`);
    expect(outcome.advice).toContain(host);
  });

  it('a second host whose chain is not trusted -> ENDPOINT_UNREACHABLE with the certificate reason', async () => {
    // Discovery runs with the fixture root; the endpoint probe trusts a root that does not sign the second host.
    const t = target(h.fx.issuer('split-ok'));
    expect((await discovery.run(t, ctx())).status).toBe('pass');
    const other = await createTestPki('Unrelated Root');
    const outcome = await check.run(t, ctx({}, [other.root.certPem]));
    expect(outcome).toMatchObject({ status: 'fail', code: 'ENDPOINT_UNREACHABLE' });
    expect(outcome.detail).toContain('CERT_UNTRUSTED_ROOT');
  });
});
