/**
 * The REST API key and secret the sandbox accepts unless told others (`startSandbox({ apiKey, apiSecret })`,
 * SANDBOX_API_KEY / SANDBOX_API_SECRET for `npm run sandbox`). Public: a merchant's tests, this project's tests,
 * the bench and the verifier's sandbox switch give these to their PortOne client.
 */
export const DEFAULT_CREDENTIALS = Object.freeze({ apiKey: 'sandbox_api_key', apiSecret: 'sandbox_api_secret' } as const);

export interface Credentials {
  apiKey: string;
  apiSecret: string;
}
