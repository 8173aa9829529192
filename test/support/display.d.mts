// Types for display.mjs.
export function startDisplay(xvfbPath: string | undefined, options?: { timeoutMs?: number }): Promise<{ display: string; stop(): Promise<void> }>;
