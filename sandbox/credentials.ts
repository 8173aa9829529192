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

/**
 * What the sandbox's PortOne V2 side accepts and signs with unless told others (`startSandbox({ v2ApiSecret,
 * v2WebhookSecret, v2StoreId })`, SANDBOX_V2_API_SECRET / SANDBOX_V2_WEBHOOK_SECRET for `npm run sandbox`): the V2 API
 * secret (`Authorization: PortOne <apiSecret>`), the store its payments belong to, and the Standard Webhooks secret its
 * webhooks are signed with (`whsec_` + base64 of the key). Public, like the V1 credentials.
 */
export const DEFAULT_V2_CREDENTIALS = Object.freeze({
  apiSecret: 'sandbox_v2_api_secret',
  storeId: 'store-sandbox',
  webhookSecret: 'whsec_c2FuZGJveC12Mi13ZWJob29rLXNlY3JldA==',
} as const);

export interface V2Credentials {
  apiSecret: string;
  storeId: string;
  webhookSecret: string;
}
