// Files that ship as they are: the sandbox's browser scripts (the stand-in iamport.js and browser-sdk.js, and the payment window's
// script, served by the sandbox from beside its modules) and the hand-written JSX types.
import { cpSync } from 'node:fs';

cpSync('sandbox/v1/sdk/iamport.js', 'dist/sandbox/v1/sdk/iamport.js');
cpSync('sandbox/v2/sdk/browser-sdk.js', 'dist/sandbox/v2/sdk/browser-sdk.js');
cpSync('sandbox/window/window.js', 'dist/sandbox/window/window.js');
cpSync('types/jsx.d.ts', 'dist/jsx.d.ts');
