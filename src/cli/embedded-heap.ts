import { isEmbeddedServerStart, keepYoungGenerationSmall } from '../platform/db/embedded-heap.js';

// Imported by the `attest` entry right after the Node check and before the rest of the program,
// whose loading is what grows V8's young generation (see embedded-heap.ts in platform/db).
if (isEmbeddedServerStart(process.argv.slice(2), process.env)) keepYoungGenerationSmall();
