// Connecting to a host, in three parts: the TCP probe (./tcp.ts), the CONNECT tunnel through a
// proxy (./tunnel.ts) and the TLS probe (./tls-probe.ts). The checks import them from here.
export { openTcp } from './tcp.js';
export { type TlsProbe, type TlsProbeOptions, tlsHandshake } from './tls-probe.js';
