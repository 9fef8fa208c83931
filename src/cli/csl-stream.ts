import { createReadStream } from 'node:fs';
import { JSONParser } from '@streamparser/json-node';

/**
 * The `results[]` entries of a Consolidated Screening List file, one at a time, parsed as the file is read:
 * the real file is tens of MB and is never held whole in memory. A syntax error in the file rejects the
 * iteration (the import's transaction then rolls back); a malformed entry is the importer's to report.
 */
export async function* readCslEntries(path: string): AsyncGenerator<unknown> {
  const parser = new JSONParser({ paths: ['$.results.*'], keepStack: false });
  const source = createReadStream(path);
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  for await (const info of parser as AsyncIterable<{ value: unknown }>) yield info.value;
}
