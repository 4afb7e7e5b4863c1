import {
  embeddedServerNodeOptions,
  isEmbeddedServerStart,
  keepYoungGenerationSmall,
} from '../platform/db/embedded-heap.js';
import { canRestartInPlace, restartInPlace } from './restart-in-place.js';

// Imported by the `attest` entry right after the Node check and before the rest of the program,
// whose loading is what grows V8's young generation (see embedded-heap.ts in platform/db).
if (isEmbeddedServerStart(process.argv.slice(2), process.env)) {
  // A command-line option only: start again with it, before anything else is loaded.
  const missing = embeddedServerNodeOptions.filter((option) => !process.execArgv.includes(option));
  if (missing.length > 0 && canRestartInPlace()) restartInPlace(missing);
  keepYoungGenerationSmall();
}
