import { describeIssuer, parseIssuer } from '../okta/issuer.js';
import type { Check, CheckContext, CheckOutcome, Target } from './types.js';

/** Step 1: parse what the user typed, say what will be tested, or refuse with the likely right value. */
export function runIssuerUrl(target: Target, ctx: CheckContext): CheckOutcome {
  const parsed = parseIssuer(target.input, { allowHttpLoopback: ctx.options.allowHttpLoopback });
  if (!parsed.ok) {
    const outcome: CheckOutcome = {
      status: 'fail',
      code: parsed.code,
      title:
        parsed.code === 'ISSUER_ADMIN_DOMAIN'
          ? 'This is the Okta admin console, not an issuer'
          : 'The issuer URL is not usable',
      detail: parsed.message,
      data: { input: target.input },
    };
    if (parsed.suggestion) {
      outcome.advice = `Use ${parsed.suggestion}`;
      outcome.data = { input: target.input, suggestion: parsed.suggestion };
    }
    return outcome;
  }
  const p = parsed.value;
  target.issuer = p;
  const lines = [`Testing ${p.issuer}`, ...p.normalizations.map((n) => `normalized: ${n}`)];
  return {
    // A path that had to be changed would break sign-in if saved as typed: say so loudly.
    ...(p.pathNormalized
      ? {
          status: 'warn' as const,
          code: 'ISSUER_NORMALIZED' as const,
          advice: `Configure the issuer exactly as ${p.issuer}; the value as typed would not match the provider.`,
        }
      : { status: 'pass' as const }),
    title: describeIssuer(p),
    detail: lines.join('\n'),
    data: {
      issuer: p.issuer,
      kind: p.kind,
      domainKind: p.domainKind,
      ...(p.authServerId ? { authServerId: p.authServerId } : {}),
      ...(p.oktaDomain ? { oktaDomain: p.oktaDomain } : {}),
      discoveryUrl: p.discoveryUrl,
      normalizations: p.normalizations,
    },
  };
}

/** issuer-url: the first check; it runs on the input as typed and sets `target.issuer`. */
export const check: Check = {
  id: 'issuer-url',
  needs: [],
  input: true,
  run: async (target, ctx) => runIssuerUrl(target, ctx),
};
