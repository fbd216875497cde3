/**
 * okta-policy: on a custom authorization server (/oauth2/{authServerId}), some ACTIVE access policy
 * must admit the client (conditions.clients.include holds its client ID or ALL_CLIENTS) and have an
 * ACTIVE rule whose conditions.grantTypes.include holds authorization_code; otherwise every sign-in
 * ends in no_matching_policy. The org authorization server has no such policies: skipped, and said so.
 * Reads GET /api/v1/authorizationServers/{id}/policies and each admitting policy's /rules.
 */
import type { OktaPolicy, OktaPolicyRule } from '../okta/management.js';
import { managementFor, oktaErrorOutcome } from './okta-client.js';
import type { Check } from './types.js';

/** Okta always states a status; a missing one is read as active, so nothing is failed on a guess. */
const active = (x: { status?: string }) => x.status === undefined || x.status.toUpperCase() === 'ACTIVE';
const byPriority = <T extends { priority?: number }>(a: T, b: T) =>
  (a.priority ?? Number.MAX_SAFE_INTEGER) - (b.priority ?? Number.MAX_SAFE_INTEGER);
const name = (x: { id: string; name?: string }) => (x.name ? `"${x.name}"` : x.id);

function describePolicy(p: OktaPolicy): string {
  return `${name(p)} (${p.status ?? 'no status'}, clients: ${p.clientsInclude.join(', ') || 'none'})`;
}
function describeRule(r: OktaPolicyRule): string {
  return `${name(r)} (${r.status ?? 'no status'}, grant types: ${r.grantTypesInclude.join(', ') || 'none'})`;
}

export const check: Check = {
  id: 'okta-policy',
  needs: ['okta-api'],
  async run(target, ctx) {
    const client = managementFor(target, ctx);
    const clientId = ctx.options.clientId;
    if (!client || !clientId || !target.facts.oktaApp) {
      return { status: 'skip', title: 'Skipped: the Okta app was not read' };
    }
    const { kind, authServerId } = target.issuer;
    if (kind !== 'okta-custom' || !authServerId) {
      return {
        status: 'skip',
        title: 'Org authorization server: it has no access policies to check',
        detail:
          'The issuer is the org authorization server (no /oauth2/{authServerId} path); access policies exist only on custom authorization servers.',
        data: { authorizationServer: 'org' },
      };
    }
    const where = `authorization server ${authServerId}`;
    let policies: OktaPolicy[];
    try {
      policies = await client.listPolicies(authServerId);
    } catch (err) {
      return oktaErrorOutcome(err, `the access policies of ${where}`, client.orgUrl);
    }
    const admitting = policies
      .filter(
        (p) => active(p) && (p.clientsInclude.includes(clientId) || p.clientsInclude.includes('ALL_CLIENTS')),
      )
      .sort(byPriority);
    const data: Record<string, unknown> = {
      authServerId,
      policies: policies.map((p) => ({ id: p.id, name: p.name ?? null, status: p.status ?? null })),
    };
    if (admitting.length === 0) {
      return {
        status: 'fail',
        code: 'OKTA_NO_MATCHING_POLICY',
        title: `No active access policy of ${where} admits the app`,
        detail: `Policies: ${policies.length ? policies.map(describePolicy).join('; ') : 'none'}. None is ACTIVE with ${clientId} or ALL_CLIENTS in conditions.clients.include, so every sign-in ends in no_matching_policy ("Policy evaluation failed for this request, please check the policy configurations.").`,
        advice: `Okta admin console > Security > API > Authorization Servers > ${authServerId} > Access Policies: add (or edit) a policy assigned to this app ${clientId} or All clients, make it Active, and give it an active rule with the Authorization Code grant.`,
        data,
      };
    }
    const seen: string[] = [];
    for (const policy of admitting) {
      let rules: OktaPolicyRule[];
      try {
        rules = await client.listPolicyRules(authServerId, policy.id);
      } catch (err) {
        return oktaErrorOutcome(err, `the rules of policy ${name(policy)} on ${where}`, client.orgUrl);
      }
      const rule = rules
        .filter((r) => active(r) && r.grantTypesInclude.includes('authorization_code'))
        .sort(byPriority)[0];
      if (rule) {
        return {
          status: 'pass',
          title: `Policy ${name(policy)} admits the app with an Authorization Code rule`,
          detail: `On ${where}, policy ${describePolicy(policy)} has rule ${describeRule(rule)}.`,
          data: { ...data, policyId: policy.id, ruleId: rule.id },
        };
      }
      seen.push(`${name(policy)}: ${rules.length ? rules.map(describeRule).join(', ') : 'no rules'}`);
    }
    return {
      status: 'fail',
      code: 'OKTA_POLICY_RULE_NO_GRANT',
      title: `No active rule of the policies admitting the app allows Authorization Code`,
      detail: `On ${where}, rules of the policies that admit ${clientId}: ${seen.join('; ')}. Sign-in ends in no_matching_policy.`,
      advice: `Okta admin console > Security > API > Authorization Servers > ${authServerId} > Access Policies > ${name(admitting[0]!)} > its rule > Edit > IF Grant type is: tick Authorization Code, and make the rule Active.`,
      data,
    };
  },
};
