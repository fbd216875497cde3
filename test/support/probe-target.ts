// Shared by the credentials and redirect-uri probe tests: the discovery document as the runner
// would have saved it, and a target carrying it.
import type { Dispatcher } from 'undici';
import type { DiscoveryDocument, Target } from '../../src/checks/types.js';
import { httpGet } from '../../src/net/http.js';
import { parseIssuer } from '../../src/okta/issuer.js';

export async function fetchDiscovery(issuer: string, dispatcher: Dispatcher): Promise<DiscoveryDocument> {
  const res = await httpGet(`${issuer}/.well-known/openid-configuration`, {
    dispatcher,
    timeoutMs: 5000,
    maxBytes: 1 << 20,
  });
  if (res.status !== 200) throw new Error(`discovery of ${issuer} answered ${res.status}`);
  return JSON.parse(res.body.toString('utf8')) as DiscoveryDocument;
}

export function probeTarget(
  issuer: string,
  discovery: DiscoveryDocument,
): Target & { issuer: NonNullable<Target['issuer']> } {
  const parsed = parseIssuer(issuer, { allowHttpLoopback: true });
  if (!parsed.ok) throw new Error(parsed.message);
  return { input: issuer, issuer: parsed.value, facts: { discovery, proxy: null } };
}
