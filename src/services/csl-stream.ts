import type { Readable } from 'node:stream';
import { JSONParser } from '@streamparser/json-node';
import { AppError } from '../errors.ts';

/**
 * The `results[]` entries of a Consolidated Screening List, one at a time, parsed as the bytes arrive: the real
 * file is tens of MB, more than the service's heap could hold parsed, so it is never held whole in memory (the
 * CLI reads it from disk, the API from the request). Text that is not JSON, or more than `maxBytes`, rejects
 * the iteration with a 400 or 413 (the import's transaction then rolls back); a malformed entry is the
 * importer's to report. A body without `results` yields nothing, which the importer refuses as empty.
 */
export async function* cslEntries(
  source: Readable,
  maxBytes = Number.POSITIVE_INFINITY,
): AsyncGenerator<unknown> {
  const parser = new JSONParser({ paths: ['$.results.*'], keepStack: false });
  let bytes = 0;
  source.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > maxBytes) {
      const error = new AppError('PAYLOAD_TOO_LARGE', `The list is larger than ${maxBytes} bytes.`);
      source.unpipe(parser);
      parser.destroy(error);
    }
  });
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  try {
    for await (const info of parser as AsyncIterable<{ value: unknown }>) yield info.value;
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('VALIDATION_FAILED', 'The list could not be read as JSON.', {
      errors: [{ path: 'body', message: error instanceof Error ? error.message : String(error) }],
    });
  }
}
