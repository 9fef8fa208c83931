import { createHash, randomBytes } from 'node:crypto';
import { AppError, validationError } from '../errors.ts';
import type { Actor, Role } from '../domain/actor.ts';
import {
  countActiveKeys,
  ensureKey,
  findActiveKeyByHash,
  findKey,
  insertKey,
  listKeys,
  revokeKey,
  type ApiKeyRecord,
} from '../repositories/api-key-repository.ts';
import { notify, type PrismaClient } from '../repositories/db.ts';
import { findOrganisation } from '../repositories/organisation-repository.ts';
import { recordAudit } from './audit.ts';
import type { ServiceContext } from './context.ts';

const KEY_PREFIX = 'gec_';

/** PostgreSQL channel on which a revocation is announced (payload: the key id) to every process's cache. */
export const API_KEY_REVOKED_CHANNEL = 'api_key_revoked';

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

  /** The cached answer for a presented key, without a lookup: an actor, null (known bad) or undefined (unknown). */
  peek(presented: string): Actor | null | undefined {
    if (presented.length > 200) return null;
    const cached = this.cache.get(hashApiKey(presented));
    return cached && cached.expiresAt > Date.now() ? cached.actor : undefined;
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

  forgetAll(): void {
    this.revocations += 1;
    this.cache.clear();
  }
}

/** An expired key authenticates nobody; the expiry is judged on every request, not only on a cache miss. */
function live(actor: Actor | null, keyExpiresAt: number | null, now: number): Actor | null {
  return actor !== null && (keyExpiresAt === null || keyExpiresAt > now) ? actor : null;
}

/**
 * Drops a revoked key from every cache in this process. Called directly by the revoking request and, for
 * revocations made by other processes, from the API_KEY_REVOKED_CHANNEL listener; `undefined` (the listener
 * reconnected and may have missed announcements) drops everything.
 */
export function forgetApiKeyEverywhere(keyId: string | undefined): void {
  for (const authenticator of liveAuthenticators) {
    if (keyId === undefined) authenticator.forgetAll();
    else authenticator.forget(keyId);
  }
}

/**
 * The boot transaction waits for the audit chain lock, which other processes may hold: Prisma's 5 s default
 * made a boot on a busy machine fail.
 */
const BOOT_TX_OPTIONS = { maxWait: 30_000, timeout: 30_000 } as const;

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
  }, BOOT_TX_OPTIONS);
}

/**
 * What a first start tells the operator when nobody can call the API yet: no officer key exists and none is
 * configured. Null when there is one, so an ordinary restart says nothing.
 */
export async function firstStartKeyAdvice(
  db: PrismaClient,
  bootstrapKeyConfigured: boolean,
): Promise<string | null> {
  if (bootstrapKeyConfigured || (await countActiveKeys(db, 'officer')) > 0) return null;
  return [
    'No API key exists yet, so every /v1 call will be refused (401). Two ways to get a key:',
    '  1. restart with BOOTSTRAP_OFFICER_KEY set to a long random secret (e.g. BOOTSTRAP_OFFICER_KEY=$(openssl rand -hex 32) npm start)',
    '     and use it as "Authorization: Bearer <that secret>";',
    '  2. or, with the service running, npm run apikey -- create --role officer --name "<your name>" (prints the key as its last line).',
  ].join('\n');
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
    // Delivered on commit only: other processes drop the key within the notification's latency.
    await notify(tx, API_KEY_REVOKED_CHANNEL, id);
    return after;
  });
  forgetApiKeyEverywhere(id);
  return revoked;
}
