import { ProtocolMessageError } from '../errors';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes a message body as UTF-8 JSON. */
export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value ?? null));
}

/** Decodes a UTF-8 JSON body; a malformed one is a typed error, never a crash. */
export function decodeJson(method: string, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(bytes)) as unknown;
  } catch (error) {
    throw new ProtocolMessageError(method, `body is not JSON (${(error as Error).message})`);
  }
}
