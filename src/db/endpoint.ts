/** Where a PostgreSQL database is and who logs in: what every connection in the service is built from. */
export interface DatabaseEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
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

/** For logs and error messages: the URL without its password. */
export function describeEndpoint(endpoint: DatabaseEndpoint): string {
  return endpointToUrl({ ...endpoint, password: '' });
}
