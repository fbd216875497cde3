import { describe, expect, it } from 'vitest';
import { escapeControl } from '../../src/text/escape.js';

describe('escapeControl', () => {
  it('keeps ordinary text, including non-ASCII letters and backslashes, unchanged', () => {
    const s = "Invalid value for 'client_id' parameter. Zürich 東京 C:\\path — ok";
    expect(escapeControl(s)).toBe(s);
  });

  it('cannot repaint the terminal: ESC/CSI sequences become visible', () => {
    const out = escapeControl('\u001b[2J\u001b[1;1HPASS\u009b31m');
    expect(out).toBe('\\x1b[2J\\x1b[1;1HPASS\\x9b31m');
    expect(out).not.toContain('\u001b');
    expect(out).not.toContain('\u009b');
  });

  it('cannot forge a line of output: CR, LF, NUL, separators are escaped', () => {
    const out = escapeControl('bad\r\n  ✔ credentials  Client ID and secret accepted\u0000\u2028x\u2029');
    expect(out).toBe('bad\\r\\n  ✔ credentials  Client ID and secret accepted\\x00\\u2028x\\u2029');
    expect(out.split('\n')).toHaveLength(1);
  });

  it('escapes tab, DEL and every C0/C1 code point', () => {
    expect(escapeControl('a\tb\u007f')).toBe('a\\tb\\x7f');
    for (let cp = 0; cp <= 0x9f; cp++) {
      if (cp >= 0x20 && cp < 0x7f) continue;
      expect(escapeControl(String.fromCharCode(cp))).toMatch(/^\\/);
    }
  });

  it('escapes Unicode bidi controls, so a secret-looking string cannot be reordered', () => {
    const bidi = '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c';
    const out = escapeControl(`x${bidi}y`);
    expect(out).toBe(
      'x\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061cy',
    );
  });
});
