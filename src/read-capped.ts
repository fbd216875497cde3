/**
 * The one size-capped stream reader (stdin secrets and tokens, HTTP bodies, the Cortex API's
 * answers): never holds more than `max` bytes, whatever the other end sends. Over the cap it either
 * keeps the first `max` bytes (`truncate`, and says so) or throws the error `tooLarge` makes; either
 * way it stops reading and destroys the stream.
 */
export async function readCapped(
  stream: AsyncIterable<unknown> & { destroy?: () => void },
  max: number,
  over: 'truncate' | (() => Error),
): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    const room = max - size;
    if (b.length > room) {
      stream.destroy?.();
      if (over !== 'truncate') throw over();
      if (room > 0) chunks.push(b.subarray(0, room));
      size += Math.max(room, 0);
      return { bytes: Buffer.concat(chunks, size), truncated: true };
    }
    chunks.push(b);
    size += b.length;
  }
  return { bytes: Buffer.concat(chunks, size), truncated: false };
}
