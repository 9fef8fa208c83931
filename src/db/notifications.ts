import pg from 'pg';
import type { DatabaseEndpoint } from './endpoint.ts';

export interface NotificationListener {
  close(): Promise<void>;
}

/**
 * LISTENs on a PostgreSQL channel over a dedicated connection and reconnects when it drops. `onNotify` also runs
 * after every (re)connection, since notifications sent while disconnected are lost. `onError` hears the first
 * failure of each disconnection, not every retry, so an outage is not logged once a second.
 */
export function listenForNotifications(
  endpoint: DatabaseEndpoint,
  channel: string,
  onNotify: (payload: string | undefined) => void,
  onError: (error: unknown) => void,
  retryMs = 1_000,
): NotificationListener {
  let client: pg.Client | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let failing = false;
  const report = (error: unknown): void => {
    if (failing) return;
    failing = true;
    onError(error);
  };

  const connect = async (): Promise<void> => {
    if (closed) return;
    const next = new pg.Client({ ...endpoint });
    next.on('notification', (message) => {
      if (message.channel === channel) onNotify(message.payload);
    });
    next.on('error', (error) => {
      report(error);
      scheduleReconnect(next);
    });
    next.on('end', () => scheduleReconnect(next));
    try {
      await next.connect();
      await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      if (closed) {
        await next.end();
        return;
      }
      client = next;
      failing = false;
      onNotify(undefined);
    } catch (error) {
      report(error);
      scheduleReconnect(next);
    }
  };

  const scheduleReconnect = (dead: pg.Client): void => {
    if (closed || timer !== null || (client !== null && client !== dead)) return;
    client = null;
    dead.end().catch(() => undefined);
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, retryMs);
    timer.unref();
  };

  void connect();
  return {
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      const current = client;
      client = null;
      await current?.end().catch(() => undefined);
    },
  };
}
