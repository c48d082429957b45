/** Wrong command-line usage; the CLI prints the message and the usage text and exits with 2. */
export class CliUsageError extends Error {}
