import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';

/** What a checkpoint signature covers; the version lets the message change without ambiguity. */
export const CHECKPOINT_MESSAGE_FORMAT = 'gec-audit-checkpoint/1\n<seq>\n<hash>\n<signedAt>';

export function checkpointMessage(seq: number, hash: string, signedAt: string): Buffer {
  return Buffer.from(`gec-audit-checkpoint/1\n${seq}\n${hash}\n${signedAt}`, 'utf8');
}

// DER headers that turn a raw 32-byte Ed25519 seed or public key into PKCS#8 / SPKI (RFC 8410).
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** 32 bytes written as hex (64 digits) or base64/base64url, or null. */
function raw32(text: string): Buffer | null {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed, 'base64');
    return bytes.length === 32 ? bytes : null;
  }
  return null;
}

function isEd25519(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'ed25519';
}

/** AUDIT_SIGNING_KEY: a PKCS#8 PEM (`openssl genpkey -algorithm ed25519`) or a 32-byte seed in hex or base64. */
export function parseSigningKey(text: string): KeyObject {
  const seed = raw32(text);
  const key = seed
    ? createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' })
    : createPrivateKey({ key: text.replaceAll('\\n', '\n'), format: 'pem' });
  if (!isEd25519(key)) throw new Error('not an Ed25519 key');
  return key;
}

/** A trusted public key: an SPKI PEM or the raw 32 bytes in hex or base64 (as GET /v1/audit/checkpoints shows). */
export function parsePublicKey(text: string): KeyObject {
  const raw = raw32(text);
  const key = raw
    ? createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' })
    : createPublicKey({ key: text.replaceAll('\\n', '\n'), format: 'pem' });
  if (!isEd25519(key)) throw new Error('not an Ed25519 key');
  return key;
}

export function isSigningKey(text: string): boolean {
  try {
    parseSigningKey(text);
    return true;
  } catch {
    return false;
  }
}

export function isPublicKey(text: string): boolean {
  try {
    parsePublicKey(text);
    return true;
  } catch {
    return false;
  }
}

export interface PublicSigningKey {
  /** sha256 of the raw public key, first 16 hex digits. */
  keyId: string;
  /** The raw 32-byte public key, base64. */
  publicKey: string;
  pem: string;
  key: KeyObject;
}

export function describePublicKey(key: KeyObject): PublicSigningKey {
  const spki = key.export({ format: 'der', type: 'spki' });
  const raw = spki.subarray(SPKI_ED25519_PREFIX.length);
  return {
    keyId: createHash('sha256').update(raw).digest('hex').slice(0, 16),
    publicKey: raw.toString('base64'),
    pem: String(key.export({ format: 'pem', type: 'spki' })),
    key,
  };
}

/** Signs checkpoints. The private key lives only in this process's memory, never in the database. */
export class AuditSigner {
  readonly publicKey: PublicSigningKey;

  constructor(
    private readonly privateKey: KeyObject,
    /** True when the key was generated at start-up because AUDIT_SIGNING_KEY was not set. */
    readonly ephemeral: boolean,
  ) {
    this.publicKey = describePublicKey(createPublicKey(privateKey));
  }

  sign(message: Buffer): string {
    return sign(null, message, this.privateKey).toString('base64');
  }
}

export function verifySignature(key: KeyObject, message: Buffer, signature: string): boolean {
  try {
    return verify(null, message, key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

let ephemeralSigner: AuditSigner | null = null;

/**
 * The signer for AUDIT_SIGNING_KEY, or, without one, a key generated once per process. Config refuses a
 * missing key in production; elsewhere the caller logs a warning, because checkpoints signed by an ephemeral
 * key can no longer be checked after a restart.
 */
export function auditSigner(signingKey: string | undefined): AuditSigner {
  if (signingKey !== undefined) return new AuditSigner(parseSigningKey(signingKey), false);
  ephemeralSigner ??= new AuditSigner(generateKeyPairSync('ed25519').privateKey, true);
  return ephemeralSigner;
}
