import { describeListing } from '../cortex/connections.js';
import { CortexSsoError } from '../errors.js';
import { escapeControl } from '../text/escape.js';
import type { Check } from './types.js';

/**
 * What Cortex holds: the OIDC connection with the client ID and issuer being verified (the
 * profile's connection), read from Cortex's list of SSO configurations. Values that work at Okta
 * but are not what Cortex uses do not make sign-in work.
 */
export const check: Check = {
  id: 'cortex-connection',
  needs: ['issuer-url'],
  async run(_target, ctx) {
    const read = ctx.options.cortexConnection;
    if (!read) {
      return {
        status: 'skip',
        title: "No Cortex API key: Cortex's connection was not compared",
      };
    }
    let report: Awaited<ReturnType<typeof read>>;
    try {
      report = await read();
    } catch (err) {
      if (err instanceof CortexSsoError) {
        return {
          status: 'warn',
          code: err.code,
          title: 'Cortex could not be asked which connection it holds',
          detail: err.message,
        };
      }
      throw err;
    }
    const { listing, match, expected } = report;
    const holds = escapeControl(describeListing(listing));
    const data = {
      apiUrl: report.apiUrl,
      oidcConnections: listing.oidc.length,
      ...(match.connection?.connectionId ? { connectionId: match.connection.connectionId } : {}),
    };
    if (!match.connection) {
      return {
        status: 'warn',
        code: 'CONNECTOR_NOT_FOUND',
        title: 'Cortex holds no connection with this client ID and issuer',
        detail: `Verified client ${expected.clientId} and issuer ${expected.issuer}; Cortex (${report.apiUrl}) holds: ${holds}.`,
        data,
      };
    }
    if (match.changed) {
      return {
        status: 'warn',
        code: 'CONNECTOR_DRIFT',
        title: "Cortex's connection differs from the values verified",
        detail: `Connection ${escapeControl(match.connection.connectionId ?? '')} in Cortex has client ${escapeControl(match.connection.clientId)} and issuer ${escapeControl(match.connection.issuer)}.`,
        data,
      };
    }
    if (listing.oidc.length > 1) {
      return {
        status: 'warn',
        code: 'CONNECTOR_DRIFT',
        title: `Cortex holds ${listing.oidc.length} OIDC connections`,
        detail: `This one is there; the others may take part in sign-in too. Cortex holds: ${holds}.`,
        data,
      };
    }
    return {
      status: 'pass',
      title: 'Cortex holds this connection',
      detail: `Connection ${escapeControl(match.connection.connectionId ?? '(no id)')} at ${report.apiUrl}.`,
      data,
    };
  },
};
