/**
 * API key administration for first start and automation:
 *
 *   npm run apikey -- create --role <vendor|procurement|officer|auditor> --name <label> [--organisation <id>]
 *   npm run apikey -- revoke <id>
 *   npm run apikey -- list
 *
 * `create` prints the new key as the last line of its output (everything else goes to stderr), so a script can
 * take it with `| tail -n 1`. Target: DATABASE_URL if set; otherwise the embedded PostgreSQL in DATA_DIR (the
 * service's, if it is running, or one started for the command). Pending migrations are applied first. Every
 * change is audited like its HTTP equivalent, with no actor and a request id starting with "cli:".
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { openDatabaseTarget } from '../db/target.ts';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { createPrismaClient } from '../db/client.ts';
import { deployMigrations } from '../db/schema-engine.ts';
import { AppError } from '../errors.ts';
import { ROLES, type Role } from '../domain/actor.ts';
import type { PrismaClient } from '../repositories/db.ts';
import { createApiKey, getApiKeys, revokeApiKey } from '../services/api-keys.ts';

const USAGE = [
  'usage: npm run apikey -- create --role <role> --name <label> [--organisation <id>]',
  '       (--organisation is required for vendor and procurement keys)',
  '       npm run apikey -- revoke <id>',
  '       npm run apikey -- list',
  '       npm run apikey -- --help',
  `roles: ${ROLES.join(', ')}`,
].join('\n');

const HELP = [
  'Issue, list and revoke API keys of the GPU Export Compliance API, straight in its database.',
  '',
  USAGE,
  '',
  'create   prints the new key as the last line of its output (all else goes to stderr): it is shown once.',
  'revoke   revokes a key by id (from list); requests with it are refused at once in this process and',
  '         within 2 s in a running service.',
  'list     one key a line: id, role, prefix, created, state, name.',
  '',
  'Database: DATABASE_URL if set; otherwise the embedded PostgreSQL in DATA_DIR (default ./.data), the',
  "running service's or one started for the command. Every change is audited with a request id cli:<uuid>.",
  'Exit status: 0 done, 1 refused (e.g. unknown id), 2 usage error.',
].join('\n');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class UsageError extends Error {}

const info = (message: string): void => void process.stderr.write(`${message}\n`);
const out = (message: string): void => void process.stdout.write(`${message}\n`);

type Command =
  | { kind: 'create'; role: Role; name: string; organisationId: string | undefined }
  | { kind: 'revoke'; id: string }
  | { kind: 'list' };

function parseCommand(argv: string[]): Command | 'help' {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      name: { type: 'string' },
      organisation: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === 'help') return 'help';
  switch (command) {
    case 'create': {
      const role = values.role;
      const name = values.name?.trim();
      if (!role || !(ROLES as readonly string[]).includes(role))
        throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
      if (!name || name.length > 100) throw new UsageError('--name is required (1-100 characters)');
      if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
      const organisationId = values.organisation;
      if (organisationId !== undefined && !UUID.test(organisationId))
        throw new UsageError('--organisation must be an organisation id (a UUID)');
      return { kind: 'create', role: role as Role, name, organisationId };
    }
    case 'revoke': {
      const id = rest[0];
      if (!id || rest.length > 1 || !UUID.test(id))
        throw new UsageError('revoke needs one API key id (a UUID)');
      return { kind: 'revoke', id };
    }
    case 'list':
      if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
      return { kind: 'list' };
    default:
      throw new UsageError(command ? `unknown command ${command}` : 'a command is required');
  }
}

/** Runs the command; returns what goes to stdout, printed only after the database is closed so it ends the output. */
async function run(command: Command, db: PrismaClient): Promise<string[]> {
  const ctx = { db, actor: null, requestId: `cli:${randomUUID()}`, now: () => new Date() };
  switch (command.kind) {
    case 'create': {
      const created = await createApiKey(ctx, {
        role: command.role,
        name: command.name,
        organisationId: command.organisationId,
      });
      info(
        `created ${created.role} key "${created.name}" with id ${created.id}; it is shown once, store it now:`,
      );
      return [created.key];
    }
    case 'revoke': {
      const revoked = await revokeApiKey(ctx, command.id);
      info(
        `revoked ${revoked.role} key "${revoked.name}" (${revoked.id}) at ${revoked.revokedAt?.toISOString()}`,
      );
      return [];
    }
    case 'list':
      return (await getApiKeys(ctx)).map((key) => {
        const state = key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : 'active';
        return [key.id, key.role, key.prefix, key.createdAt.toISOString(), state, key.name].join('\t');
      });
  }
}

async function main(): Promise<number> {
  let command: Command;
  let config: Config;
  try {
    const parsed = parseCommand(process.argv.slice(2));
    if (parsed === 'help') {
      out(HELP);
      return 0;
    }
    command = parsed;
    config = loadConfig();
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof ConfigError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      info(`${(error as Error).message}\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  const target = await openDatabaseTarget(config, {
    logger: { info: () => undefined, debug: () => undefined, warn: info, error: info },
  });
  const db = createPrismaClient(target.endpoint, { poolSize: 2 });
  let output: string[];
  try {
    info(`database: ${target.description}`);
    const applied = await deployMigrations(target.endpoint);
    if (applied.length > 0) info(`applied migrations: ${applied.join(', ')}`);
    output = await run(command, db);
  } catch (error) {
    if (error instanceof AppError) {
      info(error.message);
      return 1;
    }
    throw error;
  } finally {
    await db.$disconnect();
    await target.embedded?.stop();
  }
  for (const line of output) out(line);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    info(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
