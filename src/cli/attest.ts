import { ZodError } from 'zod';
import { BackupError } from '../platform/backup/archive.js';
import { RestoreIncompleteError } from '../platform/backup/database-dump.js';
import { ConfigError, loadConfig } from '../platform/config.js';
import { MasterKeyError } from '../platform/crypto/master-key.js';
import { SealError } from '../platform/crypto/sealing.js';
import { EmbeddedDatabaseBusyError } from '../platform/db/embedded-lock.js';
import { AppError } from '../platform/errors.js';
import { commands, UsageError, usage } from './commands.js';
import { startupProblem } from './startup-problem.js';

/**
 * The `attest` command. Exit codes: 0 done, 1 failed, 2 bad usage or configuration. Errors are
 * printed as one clear line; stack traces only for bugs.
 */
async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(usage);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`attest: unknown command "${name}"\n\n${usage}`);
    return 2;
  }
  let where: { databaseUrl?: string | undefined; dataDir?: string } = {};
  try {
    const config = loadConfig();
    where = { databaseUrl: config.databaseUrl, dataDir: config.dataDir };
    return await command(rest, config);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`attest: ${error.message}\n`);
      return 2;
    }
    if (error instanceof AppError) {
      const details = error.details
        .map((detail) => `\n  ${detail.path || '(file)'}: ${detail.message}`)
        .join('');
      process.stderr.write(`attest: ${error.message} [${error.code}]${details}\n`);
      return 1;
    }
    if (error instanceof ZodError) {
      const details = error.issues
        .map((issue) => `\n  ${issue.path.join('.') || 'value'}: ${issue.message}`)
        .join('');
      process.stderr.write(`attest: invalid input${details}\n`);
      return 2;
    }
    if (error instanceof SealError) {
      process.stderr.write(
        'attest: a sealed secret in the database does not open with the configured master key. Is ATTEST_MASTER_KEY the right key? During a rotation the old key goes in ATTEST_PREVIOUS_MASTER_KEYS (see docs/operations.md).\n',
      );
      return 2;
    }
    if (error instanceof MasterKeyError) {
      process.stderr.write(`attest: ${error.message}\n`);
      return 2;
    }
    if (error instanceof BackupError || error instanceof RestoreIncompleteError) {
      process.stderr.write(`attest: ${error.message}\n`);
      return 1;
    }
    if (error instanceof EmbeddedDatabaseBusyError) {
      process.stderr.write(`attest: ${error.message}\n`);
      return 1;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`attest: ${error.message}\n\n${usage}`);
      return 2;
    }
    // The disk, the database or the port, not a bug: one line that says which, no stack trace.
    const problem = startupProblem(error, where);
    if (problem) {
      process.stderr.write(`attest: ${problem}\n`);
      return 1;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `attest: unexpected failure\n${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
