import { createHash, randomBytes } from 'node:crypto';
import { AppError, validationError } from '../errors.ts';
import type { Actor, Role } from '../http/access.ts';
import {
  ensureKey,
  findActiveKeyByHash,
  findKey,
  insertKey,
  listKeys,
  revokeKey,
  type ApiKeyRecord,
} from '../repositories/api-key-repository.ts';
import type { PrismaClient } from '../repositories/db.ts';
import { findOrganisation } from '../repositories/organisation-repository.ts';
import { recordAudit } from './audit.ts';
import type { ServiceContext } from './context.ts';

const KEY_PREFIX = 'gec_';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

function displayPrefix(key: string): string {
  return key.slice(0, KEY_PREFIX.length + 6);
}

/** A label that names the bootstrap key without revealing any of its characters. */
function bootstrapPrefix(key: string): string {
  return `bootstrap:${hashApiKey(key).slice(0, 8)}`;
}

/** Every authenticator alive in this process, so that a revocation reaches all their caches at once. */
const liveAuthenticators = new Set<ApiKeyAuthenticator>();

/**
 * Resolves a presented key to an actor. Lookups are cached briefly because every request authenticates;
 * a revocation in this process drops the entry at once, one in another process takes effect within the TTL.
 */
export class ApiKeyAuthenticator {
  private readonly cache = new Map<
    string,
    { actor: Actor | null; keyExpiresAt: number | null; expiresAt: number }
  >();
  /** Bumped by every revocation, so that a lookup which raced with one does not cache its stale answer. */
  private revocations = 0;

  constructor(
    private readonly db: PrismaClient,
    /** The service's clock, so that key expiry follows the same "now" as everything else. */
    private readonly clock: () => Date = () => new Date(),
    private readonly ttlMs = 2_000,
    private readonly maxEntries = 10_000,
  ) {
    liveAuthenticators.add(this);
  }

  /** Stops receiving revocations; call when the app that owns it closes. */
  close(): void {
    liveAuthenticators.delete(this);
    this.cache.clear();
  }

  async authenticate(presented: string): Promise<Actor | null> {
    if (presented.length > 200) return null;
    const keyHash = hashApiKey(presented);
    const now = Date.now();
    const today = this.clock().getTime();
    const cached = this.cache.get(keyHash);
    if (cached && cached.expiresAt > now) return live(cached.actor, cached.keyExpiresAt, today);
    const revocationsBefore = this.revocations;
    const record = await findActiveKeyByHash(this.db, keyHash);
    const actor = record
      ? { keyId: record.id, role: record.role, name: record.name, organisationId: record.organisationId }
      : null;
    const keyExpiresAt = record?.expiresAt?.getTime() ?? null;
    if (revocationsBefore !== this.revocations) return live(actor, keyExpiresAt, today);
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    this.cache.set(keyHash, { actor, keyExpiresAt, expiresAt: now + this.ttlMs });
    return live(actor, keyExpiresAt, today);
  }

  forget(keyId: string): void {
    this.revocations += 1;
    for (const [hash, entry] of this.cache) if (entry.actor?.keyId === keyId) this.cache.delete(hash);
  }
}

/** An expired key authenticates nobody; the expiry is judged on every request, not only on a cache miss. */
function live(actor: Actor | null, keyExpiresAt: number | null, now: number): Actor | null {
  return actor !== null && (keyExpiresAt === null || keyExpiresAt > now) ? actor : null;
}

function forgetEverywhere(keyId: string): void {
  for (const authenticator of liveAuthenticators) authenticator.forget(keyId);
}

/** Registers BOOTSTRAP_OFFICER_KEY as an officer key, idempotently, so a fresh install can be administered. */
export async function registerBootstrapKey(
  db: PrismaClient,
  key: string,
  now: () => Date = () => new Date(),
): Promise<{ record: ApiKeyRecord; created: boolean }> {
  return db.$transaction(async (tx) => {
    const result = await ensureKey(tx, {
      name: 'bootstrap officer',
      role: 'officer',
      keyHash: hashApiKey(key),
      // Not the key's first characters: an operator-chosen secret has no public part to show.
      prefix: bootstrapPrefix(key),
      organisationId: null,
      expiresAt: null,
    });
    if (result.created) {
      const { record } = result;
      await recordAudit(
        tx,
        { actor: null, requestId: 'boot', now },
        {
          action: 'api-key.create',
          targetType: 'api-key',
          targetId: record.id,
          payload: {
            after: { id: record.id, role: record.role, name: record.name, prefix: record.prefix },
            via: 'BOOTSTRAP_OFFICER_KEY',
          },
        },
      );
    }
    return result;
  });
}

export async function getApiKeys(ctx: Pick<ServiceContext, 'db'>): Promise<ApiKeyRecord[]> {
  return listKeys(ctx.db);
}

export interface CreatedApiKey {
  id: string;
  key: string;
  role: Role;
  name: string;
  prefix: string;
  createdAt: Date;
  organisationId: string | null;
  expiresAt: Date | null;
}

/** Vendor and procurement keys act for one exporter; officer and auditor keys for the whole deployment. */
export function keyBelongsToOrganisation(role: Role): boolean {
  return role === 'vendor' || role === 'procurement';
}

export async function createApiKey(
  ctx: Pick<ServiceContext, 'db' | 'actor' | 'requestId' | 'now'>,
  input: { role: Role; name: string; organisationId?: string | undefined; expiresAt?: Date | undefined },
): Promise<CreatedApiKey> {
  const organisationId = input.organisationId ?? null;
  if (keyBelongsToOrganisation(input.role) && organisationId === null) {
    throw validationError(
      [{ path: 'body.organisationId', message: `required for a ${input.role} key` }],
      `A ${input.role} key acts for one organisation: give organisationId (POST /v1/organisations creates one).`,
    );
  }
  if (!keyBelongsToOrganisation(input.role) && organisationId !== null) {
    throw validationError(
      [{ path: 'body.organisationId', message: `must be absent for an ${input.role} key` }],
      `An ${input.role} key is deployment-wide and belongs to no organisation.`,
    );
  }
  if (input.expiresAt !== undefined && input.expiresAt <= ctx.now()) {
    throw validationError([{ path: 'body.expiresAt', message: 'must be in the future' }]);
  }
  const key = generateApiKey();
  return ctx.db.$transaction(async (tx) => {
    if (organisationId !== null && !(await findOrganisation(tx, organisationId))) {
      throw new AppError('ORGANISATION_NOT_FOUND', `No organisation with id ${organisationId}.`);
    }
    const record = await insertKey(tx, {
      role: input.role,
      name: input.name,
      keyHash: hashApiKey(key),
      prefix: displayPrefix(key),
      organisationId,
      expiresAt: input.expiresAt ?? null,
    });
    await recordAudit(tx, ctx, {
      action: 'api-key.create',
      targetType: 'api-key',
      targetId: record.id,
      payload: {
        after: {
          id: record.id,
          role: record.role,
          name: record.name,
          prefix: record.prefix,
          organisationId: record.organisationId,
          expiresAt: record.expiresAt,
        },
      },
    });
    return {
      id: record.id,
      key,
      role: record.role,
      name: record.name,
      prefix: record.prefix,
      createdAt: record.createdAt,
      organisationId: record.organisationId,
      expiresAt: record.expiresAt,
    };
  });
}

/** Revokes a key; revoking a revoked key changes nothing and answers the same. Takes effect in this process at once. */
export async function revokeApiKey(
  ctx: Pick<ServiceContext, 'db' | 'actor' | 'requestId' | 'now'>,
  id: string,
): Promise<ApiKeyRecord> {
  const revoked = await ctx.db.$transaction(async (tx) => {
    const before = await findKey(tx, id);
    if (!before) throw new AppError('API_KEY_NOT_FOUND', `No API key with id ${id}.`);
    if (before.revokedAt !== null) return before;
    const after = await revokeKey(tx, id, ctx.now());
    if (!after) throw new AppError('API_KEY_NOT_FOUND', `No API key with id ${id}.`);
    await recordAudit(tx, ctx, {
      action: 'api-key.revoke',
      targetType: 'api-key',
      targetId: id,
      payload: { before: { revokedAt: null }, after: { revokedAt: after.revokedAt } },
    });
    return after;
  });
  forgetEverywhere(id);
  return revoked;
}
