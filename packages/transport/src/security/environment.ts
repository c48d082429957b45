/** True when NODE_ENV is 'production' (read at each call so tests can switch it). */
export function isProduction(): boolean {
  return process.env['NODE_ENV'] === 'production';
}
