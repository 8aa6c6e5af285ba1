const storageKey = 'taskflow.apiKey';

/**
 * Takes the key from the printed `/?key=KEY` URL into sessionStorage and removes it from the
 * address bar (and so from the history and any copied link). Returns the key to use, if any.
 */
export function captureApiKey(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('key');
  if (fromUrl) {
    sessionStorage.setItem(storageKey, fromUrl);
    url.searchParams.delete('key');
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
  }
  return sessionStorage.getItem(storageKey);
}

export function apiKey(): string | null {
  return sessionStorage.getItem(storageKey);
}

export function setApiKey(key: string): void {
  sessionStorage.setItem(storageKey, key.trim());
}
