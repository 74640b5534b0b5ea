#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=131072 node
// The installed entry point runs the compiled CLI (built by `npm ci` through the `prepare` script),
// so starting a command costs no TypeScript compilation.
//
// MALLOC_MMAP_THRESHOLD_ pins glibc's threshold for serving allocations of 128 KiB and more with
// their own mappings. Left dynamic, glibc raises it every time such a block is freed (a growing
// typed array, a large request body), after which blocks of up to 32 MiB come from the main heap,
// whose freed holes it cannot give back: 21 MB of a server's resident set after replaying a
// million statements (measured with bench/server-memory.ts; docs/performance.md). It takes
// effect only from the process environment, hence here; `npm start` runs this file directly.
import '../dist/cli/main.js';
