/**
 * Text from the network (an error body, a header, a page title) is untrusted: before it goes into a
 * message it must not be able to repaint the terminal (ESC sequences), forge a line of our output
 * (CR, LF, U+2028/U+2029) or reorder what the user reads (Unicode bidi controls).
 * Pure; no I/O.
 */

/** C0 (U+0000-U+001F), DEL and C1 (U+007F-U+009F), line/paragraph separators, bidi controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Replace every control character with a visible escape: `\n`, `\r`, `\t`, `\xNN` below U+0100,
 * `\uNNNN` above (bidi controls and separators). Everything else, including other non-ASCII text,
 * is kept as is.
 */
export function escapeControl(s: string): string {
  return s.replace(CONTROL, (c) => {
    const short = SHORT[c];
    if (short !== undefined) return short;
    const cp = c.charCodeAt(0);
    return cp < 0x100 ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
  });
}
