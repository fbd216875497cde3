/**
 * The Cortex-like admin API for the OpenID connector: wire shapes, paths and the field rules that
 * the reference server enforces (docs/api.md, docs/openapi.yaml). Shared by the client, the
 * reference server and the commands, so all three agree on one contract.
 */

export const DEFAULT_API_URL = 'https://api.getcortexapp.com';
export const CONNECTOR_PATH = '/api/v1/sso/openid-connector';
export const CONNECTOR_VALIDATE_PATH = '/api/v1/sso/openid-connector/validate';
/** Request bodies larger than this are refused with 413 (Cortex's documented limit). */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

export const CONNECTOR_TYPES = ['okta'] as const;
export type ConnectorType = (typeof CONNECTOR_TYPES)[number];

/** The connector as the API returns it. The secret itself is never returned. */
export interface Connector {
  type: ConnectorType;
  clientId: string;
  /** Last four characters of the stored secret; '' when the secret is shorter than 8 characters. */
  clientSecretLastFour: string;
  issuer: string;
  /** ISO 8601 time of the last change. */
  updatedAt: string;
  /** Increments on every change; the ETag is `"v{version}"`. */
  version: number;
}

/** PUT and validate request body, as sent on the wire. */
export interface ConnectorInput {
  type: string;
  clientId: string;
  clientSecret: string;
  issuer: string;
}

export interface ValidationResult {
  isValid: boolean;
  message: string;
}

/** `type` of a JSON error body. The first six are Cortex's; the others cover generic HTTP cases. */
export const API_ERROR_TYPES = [
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PRECONDITION_FAILED',
  'METHOD_NOT_ALLOWED',
  'PAYLOAD_TOO_LARGE',
  'INTERNAL_ERROR',
] as const;
export type ApiErrorType = (typeof API_ERROR_TYPES)[number];

export interface FieldError {
  field: string;
  message: string;
}

/** Every error except 429 (and gateway pages) has this JSON body. */
export interface ApiErrorBody {
  message: string;
  type: ApiErrorType;
  details: FieldError[] | null;
  requestId: string;
  httpStatus: number;
}

/** 429 (and 503) answers: RFC 9457 `application/problem+json`. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  requestId: string;
}

export function etagForVersion(version: number): string {
  return `"v${version}"`;
}

/** Last four characters, only for secrets long enough that four do not give them away (as src/secret.ts). */
export function lastFourOf(secret: string): string {
  return secret.length >= 8 ? secret.slice(-4) : '';
}

const MAX_FIELD_LENGTH = 2048;

/** The server's field rules. Returns one entry per bad field; [] when the body is acceptable. */
export function validateConnectorInput(body: unknown): FieldError[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return [{ field: 'body', message: 'must be a JSON object' }];
  }
  const b = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  if (!(CONNECTOR_TYPES as readonly unknown[]).includes(b.type)) {
    errors.push({ field: 'type', message: `must be one of: ${CONNECTOR_TYPES.join(', ')}` });
  }
  for (const field of ['clientId', 'clientSecret'] as const) {
    const msg = tokenFieldProblem(b[field]);
    if (msg) errors.push({ field, message: msg });
  }
  const issuerMsg = issuerProblem(b.issuer);
  if (issuerMsg) errors.push({ field: 'issuer', message: issuerMsg });
  return errors;
}

function tokenFieldProblem(v: unknown): string | null {
  if (typeof v !== 'string') return 'is required and must be a string';
  if (v.length === 0) return 'must not be empty';
  if (/\s/.test(v)) return 'must not contain whitespace';
  if (v.length > MAX_FIELD_LENGTH) return `must be at most ${MAX_FIELD_LENGTH} characters`;
  return null;
}

function issuerProblem(v: unknown): string | null {
  if (typeof v !== 'string') return 'is required and must be a string';
  if (v.length === 0) return 'must not be empty';
  if (v.length > MAX_FIELD_LENGTH) return `must be at most ${MAX_FIELD_LENGTH} characters`;
  if (/\s/.test(v)) return 'must not contain whitespace';
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return 'must be an https URL';
  }
  if (url.protocol !== 'https:') return 'must be an https URL';
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  if (v.includes('?')) return 'must not contain a query';
  if (v.includes('#')) return 'must not contain a fragment';
  if (v.endsWith('/')) return 'must not end with a slash';
  return null;
}

/**
 * Reads a connector from an API answer. Strict on what identifies it (clientId, issuer, type), lenient
 * on what an implementation of the contract might leave out (lastFour, updatedAt, version), so the
 * client works against any Cortex-like server, not only the reference one.
 */
export function parseConnector(v: unknown): Connector | null {
  if (typeof v !== 'object' || v === null) return null;
  const c = v as Record<string, unknown>;
  if (typeof c.type !== 'string' || typeof c.clientId !== 'string' || typeof c.issuer !== 'string')
    return null;
  return {
    type: c.type as ConnectorType,
    clientId: c.clientId,
    clientSecretLastFour: typeof c.clientSecretLastFour === 'string' ? c.clientSecretLastFour : '',
    issuer: c.issuer,
    updatedAt: typeof c.updatedAt === 'string' ? c.updatedAt : '',
    version: typeof c.version === 'number' && Number.isInteger(c.version) ? c.version : 0,
  };
}

export function isValidationResult(v: unknown): v is ValidationResult {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.isValid === 'boolean' && typeof r.message === 'string';
}
