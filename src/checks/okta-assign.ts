/**
 * okta-assign: somebody must be assigned to the app, or Okta refuses every sign-in ("User is not
 * assigned to the client application."). Reads the first page of GET /api/v1/apps/{id}/users?limit=1
 * and /groups?limit=1: one entry in either is enough.
 */
import { managementFor, oktaErrorOutcome } from './okta-client.js';
import type { Check } from './types.js';

export const check: Check = {
  id: 'okta-assign',
  needs: ['okta-api'],
  async run(target, ctx) {
    const client = managementFor(target, ctx);
    const clientId = ctx.options.clientId;
    if (!client || !clientId || !target.facts.oktaApp) {
      return { status: 'skip', title: 'Skipped: the Okta app was not read' };
    }
    let users: boolean;
    let groups: boolean;
    try {
      [users, groups] = await Promise.all([
        client.hasAssignedUsers(clientId),
        client.hasAssignedGroups(clientId),
      ]);
    } catch (err) {
      return oktaErrorOutcome(err, `the assignments of app ${clientId}`, client.orgUrl);
    }
    const data = { usersAssigned: users, groupsAssigned: groups };
    if (users || groups) {
      const who = [users ? 'users' : '', groups ? 'groups' : ''].filter(Boolean).join(' and ');
      return {
        status: 'pass',
        title: `People can sign in: the app has ${who} assigned`,
        detail: `GET /api/v1/apps/${clientId}/users and /groups: ${who} assigned (the audit reads one of each, not all).`,
        data,
      };
    }
    return {
      status: 'fail',
      code: 'OKTA_NO_ASSIGNMENTS',
      title: 'Nobody is assigned to the Okta app: nobody can sign in',
      detail: `GET /api/v1/apps/${clientId}/users?limit=1 and /groups?limit=1 both returned an empty list; Okta refuses every sign-in with "User is not assigned to the client application."`,
      data,
    };
  },
};
