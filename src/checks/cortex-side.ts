import { CortexSsoError } from '../errors.js';
import type { Check } from './types.js';

/**
 * Cortex's side of the connection: the API fetches the issuer's discovery document from where
 * Cortex runs. This machine passing while Cortex fails points at allow-lists, private DNS or
 * TLS inspection on this network.
 */
export const check: Check = {
  id: 'cortex-side',
  needs: ['issuer-url'],
  async run(target, ctx) {
    const validate = ctx.options.cortexValidate;
    if (!validate) {
      return {
        status: 'skip',
        title: 'Skipped: no Cortex API token, so Cortex was not asked to check its side',
      };
    }
    try {
      const r = await validate(target.issuer.issuer);
      if (r.isValid) {
        return { status: 'pass', title: 'Cortex reached the issuer from its side', detail: r.message };
      }
      return {
        status: 'fail',
        code: 'CORTEX_VALIDATE_FAILED',
        title: 'Cortex cannot use the issuer from its side',
        detail: r.message,
      };
    } catch (err) {
      if (err instanceof CortexSsoError) {
        return {
          status: 'warn',
          code: err.code,
          title: 'Cortex could not be asked to check its side',
          detail: err.message,
        };
      }
      throw err;
    }
  },
};
