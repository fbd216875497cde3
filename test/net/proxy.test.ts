import { describe, expect, it } from 'vitest';
import { CortexSsoError } from '../../src/errors.ts';
import { decideProxy, proxyFor } from '../../src/net/proxy.ts';

const okta = new URL('https://acme.okta.com');

describe('proxyFor', () => {
  it('is null without proxy variables', () => {
    expect(proxyFor(okta, undefined, {})).toBeNull();
  });

  it('uses HTTPS_PROXY, hides credentials in display', () => {
    const route = proxyFor(okta, undefined, { HTTPS_PROXY: 'http://alice:s3cret@proxy:3128' });
    expect(route).toEqual({
      display: 'http://proxy:3128',
      url: 'http://alice:s3cret@proxy:3128/',
      source: 'env',
    });
    expect(route?.display).not.toContain('s3cret');
  });

  it('reads lower case first, falls back to HTTP_PROXY for https, assumes http:// without scheme', () => {
    expect(
      decideProxy(okta, undefined, { https_proxy: 'http://a:1', HTTPS_PROXY: 'http://b:2' }),
    ).toMatchObject({
      from: 'https_proxy',
      route: { display: 'http://a:1' },
    });
    expect(decideProxy(okta, undefined, { HTTP_PROXY: 'proxy:8080' })).toMatchObject({
      from: 'HTTP_PROXY',
      route: { display: 'http://proxy:8080' },
    });
    expect(proxyFor(new URL('http://x.test'), undefined, { HTTPS_PROXY: 'http://a:1' })).toBeNull();
  });

  it('--proxy wins over the environment and over NO_PROXY', () => {
    const d = decideProxy(okta, 'http://flag:1', { HTTPS_PROXY: 'http://env:2', NO_PROXY: '*' });
    expect(d).toMatchObject({ from: '--proxy', route: { display: 'http://flag:1', source: 'flag' } });
  });

  it.each([
    ['*', true],
    ['okta.com', true],
    ['.okta.com', true],
    ['*.okta.com', true],
    ['acme.okta.com', true],
    ['ACME.OKTA.COM', true],
    ['acme.okta.com:443', true],
    ['acme.okta.com:8443', false],
    ['cme.okta.com', false],
    ['example.com, okta.com', true],
    ['example.com', false],
  ])('NO_PROXY=%s bypasses: %s', (noProxy, bypass) => {
    const d = decideProxy(okta, undefined, { HTTPS_PROXY: 'http://p:3128', no_proxy: noProxy });
    expect(d.route === null).toBe(bypass);
    if (bypass) expect(d).toMatchObject({ reason: 'no-proxy', from: 'no_proxy' });
  });

  it('*.example.com does not match the apex; IPv6 entries', () => {
    const env = { HTTPS_PROXY: 'http://p:1', NO_PROXY: '*.okta.com' };
    expect(proxyFor(new URL('https://okta.com'), undefined, env)).not.toBeNull();
    expect(
      proxyFor(new URL('https://[::1]:8443'), undefined, {
        HTTPS_PROXY: 'http://p:1',
        NO_PROXY: '[::1]:8443',
      }),
    ).toBeNull();
    expect(
      proxyFor(new URL('https://[::1]:8443'), undefined, { HTTPS_PROXY: 'http://p:1', NO_PROXY: '::1' }),
    ).toBeNull();
  });

  it('rejects an unusable proxy URL with INPUT_INVALID naming its origin', () => {
    expect(() => proxyFor(okta, 'socks5://p:1080', {})).toThrow(CortexSsoError);
    try {
      proxyFor(okta, undefined, { HTTPS_PROXY: 'http://[bad' });
    } catch (err) {
      expect((err as CortexSsoError).code).toBe('INPUT_INVALID');
      expect((err as CortexSsoError).message).toContain('HTTPS_PROXY');
    }
    expect.assertions(3);
  });
});
