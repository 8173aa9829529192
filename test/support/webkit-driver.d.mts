// Types for webkit-driver.mjs.
export function startWebKitWebDriver(driverPath: string, display: string, options?: { timeoutMs?: number }): Promise<{ port: number; stop(): Promise<void> }>;
