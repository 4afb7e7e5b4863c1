#!/usr/bin/env node
// First: refuses a Node.js older than the supported LTS before anything else loads.
import './require-node.js';
// Then, for `attest start` on the embedded database, sizes V8's young generation for a small
// machine. The program itself is imported only after that: every module of a static import graph
// is parsed before the first one runs, and parsing the program is what would grow it.
import './embedded-heap.js';

await import('./attest.js');
