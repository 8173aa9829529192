// Types for pg-throwaway.mjs, for the TypeScript that imports it (test/server/setup.test.ts).
export function startThrowawayCluster(options?: { command?: string[]; env?: Record<string, string | undefined> }): {
  env: { TEST_DATABASE_URL: string; PG_TEST_DATA: string };
  stop(): void;
};
