import { useState } from 'react';

/** Asks for the API key when the page was opened without the printed ?key= URL. */
export default function KeyPrompt({ message, onKey }: { message?: string; onKey: (key: string) => void }) {
  const [key, setKey] = useState('');
  return (
    <div className="tf-key-prompt" data-testid="key-prompt">
      <h1>TaskFlow designer</h1>
      <p>{message ?? 'Open the URL the server printed at start (http://HOST:PORT/?key=KEY), or enter the API key.'}</p>
      <form onSubmit={(e) => { e.preventDefault(); if (key.trim()) onKey(key.trim()); }}>
        <input type="password" autoFocus value={key} onChange={(e) => setKey(e.target.value)} placeholder="API key" data-testid="key-input" />
        <button type="submit">Open</button>
      </form>
    </div>
  );
}
