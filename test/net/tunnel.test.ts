// The proxy's answer to CONNECT, read by the pure parseConnectReply() (the tunnel itself is tested
// over real sockets in connect.test.ts and the proxy check's tests).
import { describe, expect, it } from 'vitest';
import { MAX_PROXY_HEADER, parseConnectReply } from '../../src/net/tunnel.ts';

const req = { authority: 'acme.okta.com:443', withCredentials: false };
const reply = (text: string) => parseConnectReply(Buffer.from(text, 'latin1'), req);

describe('parseConnectReply', () => {
  it('waits for the end of the header', () => {
    expect(reply('HTTP/1.1 200 Connection established\r\n')).toEqual({ state: 'incomplete' });
  });

  it('a 2xx opens the tunnel and keeps what the server already sent', () => {
    const r = parseConnectReply(Buffer.from('HTTP/1.1 200 OK\r\nVia: proxy\r\n\r\n\x16\x03\x01'), req);
    expect(r.state).toBe('open');
    expect(r.state === 'open' && [...r.rest]).toEqual([0x16, 0x03, 0x01]);
    expect(reply('HTTP/1.0 204\r\n\r\n')).toEqual({ state: 'open', rest: Buffer.alloc(0) });
  });

  it('names why there is no tunnel', () => {
    expect(reply('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n')).toEqual({
      state: 'refused',
      detail:
        'it answered 407 Proxy Authentication Required: it needs credentials (none were given in the proxy URL)',
    });
    expect(
      parseConnectReply(Buffer.from('HTTP/1.1 407 Nope\r\n\r\n'), { ...req, withCredentials: true }),
    ).toEqual({
      state: 'refused',
      detail: 'it answered 407 Nope: the credentials in the proxy URL were rejected',
    });
    expect(reply('HTTP/1.1 403 Forbidden\r\n\r\n')).toEqual({
      state: 'refused',
      detail: 'it answered 403 Forbidden to CONNECT acme.okta.com:443: its policy blocks this host or port',
    });
    expect(reply('HTTP/1.1 502 Bad Gateway\r\n\r\n')).toMatchObject({
      detail: expect.stringMatching(/could not reach the host$/),
    });
    expect(reply('HTTP/1.1 418\r\n\r\n')).toEqual({
      state: 'refused',
      detail: 'it answered 418 to CONNECT acme.okta.com:443',
    });
  });

  it('refuses an answer that is not HTTP, or a header without end', () => {
    expect(reply('SSH-2.0-OpenSSH\r\n\r\n')).toEqual({
      state: 'refused',
      detail: 'it answered the tunnel request with something that is not HTTP',
    });
    expect(reply(`HTTP/1.1 200 OK\r\n${'X: y\r\n'.repeat(MAX_PROXY_HEADER / 4)}`)).toEqual({
      state: 'refused',
      detail: 'its answer to CONNECT is too large',
    });
  });
});
