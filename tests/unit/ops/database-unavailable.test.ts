import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../../src/db/unavailable.ts';

function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), {
    code,
    errno: -111,
    syscall: 'connect',
  });
}

describe('isDatabaseUnavailable', () => {
  it.each([
    ['ECONNREFUSED from the socket', socketError('ECONNREFUSED')],
    ['ECONNRESET', socketError('ECONNRESET')],
    ['pg: connection terminated', new Error('Connection terminated unexpectedly')],
    ['pg pool: connect timeout', new Error('timeout exceeded when trying to connect')],
    ['SQLSTATE 57P01 admin shutdown', Object.assign(new Error('terminating connection'), { code: '57P01' })],
    ['SQLSTATE 57P03 cannot connect now', Object.assign(new Error('starting up'), { code: '57P03' })],
    ['SQLSTATE 08006 connection failure', Object.assign(new Error('x'), { code: '08006' })],
    ['Prisma P1001', Object.assign(new Error("Can't reach database server"), { code: 'P1001' })],
    ['Prisma P1017', Object.assign(new Error('Server has closed the connection.'), { code: 'P1017' })],
    ['adapter kind DatabaseNotReachable', { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 }],
    ['adapter postgres kind with 57P01', { kind: 'postgres', code: '57P01', originalCode: '57P01' }],
    [
      'wrapped two levels deep',
      new Error('transaction failed', {
        cause: new Error('query failed', { cause: socketError('ECONNREFUSED') }),
      }),
    ],
    ['inside an AggregateError', new AggregateError([new Error('x'), socketError('ECONNREFUSED')])],
  ])('%s: unavailable', (_label, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['Prisma P2002', Object.assign(new Error('Unique constraint failed'), { code: 'P2002' })],
    ['a syntax error', Object.assign(new Error('syntax error'), { code: '42601' })],
    [
      'a statement timeout',
      Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
    ],
    ['a plain bug', new TypeError('cannot read properties of undefined')],
    ['not an error', 'ECONNREFUSED'],
    ['null', null],
  ])('%s: not unavailable', (_label, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('terminates on a cause cycle', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(isDatabaseUnavailable(a)).toBe(false);
  });
});
