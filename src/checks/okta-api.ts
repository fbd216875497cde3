import { managementFor, oktaErrorOutcome } from './okta-client.js';
import type { Check } from './types.js';

export const check: Check = {
  id: 'okta-api',
  needs: ['proxy'],
  async run(target, ctx) {
    const client = managementFor(target, ctx);
    if (!client) {
      return { status: 'skip', title: 'No Okta API token: the Okta app was not audited' };
    }
    const clientId = ctx.options.clientId;
    if (!clientId) return { status: 'skip', title: 'No client ID: the Okta app was not audited' };
    try {
      const app = await client.getApp(clientId);
      target.facts.oktaApp = app;
      const name = app.label ? `"${app.label}"` : clientId;
      return {
        status: 'pass',
        title: `Read the Okta app ${name} with the API token`,
        detail: `GET ${client.orgUrl}/api/v1/apps/${clientId}: ${app.signOnMode ?? 'no signOnMode'}, ${app.status ?? 'no status'}.`,
        data: {
          org: client.orgUrl,
          appId: app.id ?? clientId,
          ...(app.label ? { label: app.label } : {}),
        },
      };
    } catch (err) {
      return oktaErrorOutcome(err, `app ${clientId} (AppInstance)`, client.orgUrl, true);
    }
  },
};
