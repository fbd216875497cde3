// The one reader of HTTP's Retry-After header (RFC 9110 §10.2.3), for every client that honours it:
// the Cortex API client (how long to wait before the next try) and the Okta readers (when to say
// "retry after ..."). A header given twice counts by its first value.

/**
 * How long Retry-After asks to wait, in milliseconds: delay-seconds, or an HTTP date (a date already
 * past is 0). Undefined when the header is absent or neither form.
 */
export function retryAfterMs(
  value: string | readonly string[] | undefined,
  nowMs: number,
): number | undefined {
  const v = (typeof value === 'string' ? value : value?.[0])?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
