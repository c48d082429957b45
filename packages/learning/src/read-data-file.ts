import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { DataFileError } from './errors';

const gunzipAsync = promisify(gunzip);

/** Reads a CSV file as text; a name ending in `.gz` is decompressed first. */
export async function readDataFile(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new DataFileError(file, (error as NodeJS.ErrnoException).code ?? (error as Error).message, error);
  }
  if (!file.endsWith('.gz')) return bytes.toString('utf8');
  try {
    return (await gunzipAsync(bytes)).toString('utf8');
  } catch (error) {
    throw new DataFileError(file, `not valid gzip (${(error as Error).message})`, error);
  }
}
