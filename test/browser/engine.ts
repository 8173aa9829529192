// Which engine runs this page, for the few tests where engines really differ (each says how).
export type Engine = 'chromium' | 'firefox' | 'webkit';

function detect(userAgent: string): Engine {
  if (/Firefox\//.test(userAgent)) return 'firefox';
  if (/Chrome\/|Chromium\//.test(userAgent)) return 'chromium';
  return 'webkit';
}

export const engine: Engine = detect(navigator.userAgent);
