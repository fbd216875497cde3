// A tiny authoritative-looking DNS server over UDP on 127.0.0.1 (node:dgram): answers A/AAAA from a
// table, or NXDOMAIN, SERVFAIL, REFUSED, or nothing at all. Erasable TypeScript only.
import dgram from 'node:dgram';

export type DnsBehaviour = { a?: string[]; aaaa?: string[] } | 'nxdomain' | 'servfail' | 'refused' | 'silent';

export interface TestDnsServer {
  /** host:port, for CORTEX_SSO_DNS_SERVERS / createDnsResolver. */
  address: string;
  port: number;
  /** Names asked, lower case, in order. */
  queries: string[];
  close(): Promise<void>;
}

const RCODE = { nxdomain: 3, servfail: 2, refused: 5 } as const;

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail] = address.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const buf = Buffer.alloc(16);
  groups.forEach((g, i) => {
    buf.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  });
  return buf;
}

function parseQuestion(msg: Buffer): { name: string; type: number; end: number } | undefined {
  let off = 12;
  const labels: string[] = [];
  while (off < msg.length) {
    const len = msg[off] ?? 0;
    if (len === 0) break;
    labels.push(msg.subarray(off + 1, off + 1 + len).toString('latin1'));
    off += 1 + len;
  }
  if (off + 5 > msg.length) return undefined;
  return { name: labels.join('.').toLowerCase(), type: msg.readUInt16BE(off + 1), end: off + 5 };
}

function answer(
  msg: Buffer,
  behaviour: DnsBehaviour,
  q: { name: string; type: number; end: number },
): Buffer {
  const question = msg.subarray(12, q.end);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(msg.readUInt16BE(0), 0);
  const rd = (msg[2] ?? 0) & 0x01;
  let rcode = 0;
  const records: Buffer[] = [];
  if (typeof behaviour === 'string') {
    rcode = behaviour === 'silent' ? 0 : RCODE[behaviour];
  } else {
    const list = q.type === 1 ? (behaviour.a ?? []) : q.type === 28 ? (behaviour.aaaa ?? []) : [];
    for (const ip of list) {
      const rdata = q.type === 1 ? Buffer.from(ip.split('.').map(Number)) : ipv6Bytes(ip);
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0); // pointer to the question name
      rr.writeUInt16BE(q.type, 2);
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(60, 6);
      rr.writeUInt16BE(rdata.length, 10);
      records.push(rr, rdata);
    }
  }
  header.writeUInt8(0x84 | rd, 2); // QR, AA, RD copied
  header.writeUInt8(0x80 | rcode, 3); // RA, rcode
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length / 2, 6);
  return Buffer.concat([header, question, ...records]);
}

/** Start the server. Names not in the table answer NXDOMAIN. */
export async function startDnsServer(table: Record<string, DnsBehaviour>): Promise<TestDnsServer> {
  const entries = new Map(Object.entries(table).map(([k, v]) => [k.toLowerCase().replace(/\.$/, ''), v]));
  const socket = dgram.createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (msg, rinfo) => {
    const q = parseQuestion(msg);
    if (!q) return;
    queries.push(q.name);
    const behaviour = entries.get(q.name) ?? 'nxdomain';
    if (behaviour === 'silent') return;
    socket.send(answer(msg, behaviour, q), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const port = socket.address().port;
  return {
    address: `127.0.0.1:${port}`,
    port,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
