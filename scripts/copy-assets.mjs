// tsc compiles the server; the sandbox's browser scripts are plain JS assets served as they are.
import { cpSync } from 'node:fs';

cpSync('server/sandbox/sdk', 'dist/server/sandbox/sdk', { recursive: true, filter: (src) => !src.endsWith('tsconfig.json') });
