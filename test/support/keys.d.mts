// Types for keys.mjs.
export type KeyboardAction = { press: string } | { down: string } | { up: string } | { type: string };
export interface PageKeyboard {
  down(key: string): Promise<unknown>;
  up(key: string): Promise<unknown>;
  press(key: string): Promise<unknown>;
  type(text: string): Promise<unknown>;
}
export function chord(keys: string): string[];
export function webdriverActions(action: KeyboardAction): Array<{ type: 'keyDown' | 'keyUp'; value: string }>;
export function pageKeyboard(keyboard: PageKeyboard, action: KeyboardAction, readsChords: boolean): Promise<unknown>;
