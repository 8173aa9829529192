// Real key presses through the browser's input pipeline, in every engine the suite runs in (the command is
// test/support/keyboard-plugin.mjs). Keys are named as Playwright names them: 'Tab', 'Enter', 'Shift+Tab', 'Control+A'.
import { executeServerCommand } from '@web/test-runner-commands';

export type KeyboardAction = { press: string } | { down: string } | { up: string } | { type: string };

export async function sendKeys(action: KeyboardAction): Promise<void> {
  await executeServerCommand('keyboard', action);
}
