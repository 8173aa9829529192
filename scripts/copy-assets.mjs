// Files that ship as they are: the sandbox's browser scripts (served by the sandbox) and the hand-written
// JSX types.
import { cpSync } from 'node:fs';

cpSync('server/sandbox/sdk', 'dist/server/sandbox/sdk', { recursive: true, filter: (src) => !src.endsWith('tsconfig.json') });
cpSync('types/jsx.d.ts', 'dist/jsx.d.ts');
