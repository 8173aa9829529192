// Real key presses through the browser's input pipeline, in every engine the suite runs in (the command is
// test/support/keyboard-plugin.mjs). Keys are named as Playwright names them: 'Tab', 'Enter', 'Shift+Tab', 'Control+A'.
import { executeServerCommand } from '@web/test-runner-commands';

export type KeyboardAction = { press: string } | { down: string } | { up: string } | { type: string };

export async function sendKeys(action: KeyboardAction): Promise<void> {
  await executeServerCommand('keyboard', action);
}

/**
 * Press a key that makes the payment window answer (and so removes its frame), resolving with what it did: the key
 * goes down, the answer is awaited, then the key goes up (a plain `press` would send its key-up to a frame that may
 * already be gone).
 */
export async function pressAndAwait<T>(key: string, outcome: Promise<T>): Promise<T> {
  await sendKeys({ down: key });
  try {
    return await outcome;
  } finally {
    await sendKeys({ up: key });
  }
}
