export interface NoticeMessage {
  text: string;
  kind: 'info' | 'error';
  at: number;
}

/** The last message: what was saved, refused or failed. */
export default function Notice({ notice, onClose }: { notice: NoticeMessage | null; onClose: () => void }) {
  if (!notice) return null;
  return (
    <div className={`tf-notice ${notice.kind}`} data-testid="notice" data-kind={notice.kind} role="status">
      <span>{notice.text}</span>
      <button className="tf-link" onClick={onClose} aria-label="Dismiss">×</button>
    </div>
  );
}
