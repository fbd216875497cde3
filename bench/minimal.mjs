// The yardstick: the least a script can do for the same network work as a healthy `diagnose` —
// resolve the host, connect, one verified TLS handshake, GET the discovery document and the JWKS over
// one keep-alive connection, parse both. No checks, no report. Plain JavaScript, so Node spends no
// time stripping types (the CLI runs built JavaScript too). `diagnose` is measured against this
// (bench/ratios.ts). Usage: node bench/minimal.mjs <issuer> <ca-file>
import dns from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import https from 'node:https';

const [issuer, caFile] = process.argv.slice(2);
if (!issuer || !caFile) throw new Error('usage: node bench/minimal.mjs <issuer> <ca-file>');
const ca = readFileSync(caFile, 'utf8');
const url = new URL(issuer);
await dns.lookup(url.hostname, { all: true });
const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca });

function get(u) {
  return new Promise((resolve, reject) => {
    https
      .get(u, { agent, headers: { accept: 'application/json' } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`${u}: HTTP ${res.statusCode}`));
          else resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        });
      })
      .on('error', reject);
  });
}

const doc = await get(`${issuer}/.well-known/openid-configuration`);
if (doc.issuer !== issuer) throw new Error('issuer mismatch');
const jwks = await get(doc.jwks_uri);
agent.destroy();
console.log(`ok: ${jwks.keys.length} key(s)`);
