// The console hints are printed a moment after they are due: src/hint.ts imports their text first (src/hints.ts).
// A test that listens to console.warn keeps listening until the hints set off so far have been printed.

/**
 * Resolves once every hint set off before the call has printed: the hints' module is one module, so this import
 * settles after the hints' own imports did, and their console.warn runs in the microtask after (a task later here).
 */
export async function hintsPrinted(): Promise<void> {
  await import('../../src/hints.js');
  await new Promise((resolve) => setTimeout(resolve));
}
