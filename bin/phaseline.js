#!/usr/bin/env node
// The installed entry point runs the compiled CLI (built by `npm ci` through the `prepare` script),
// so starting a command costs no TypeScript compilation.
import '../dist/cli/main.js';
