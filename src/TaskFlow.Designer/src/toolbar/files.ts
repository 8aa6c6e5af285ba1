/** Offers a JSON document as a file download. */
export function downloadJson(fileName: string, value: unknown): void {
  const blob = new Blob([JSON.stringify(value, null, 2) + '\n'], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  URL.revokeObjectURL(url);
}

/** Whether a parsed file is an Elsa 3 workflow definition rather than a TaskFlow one. */
export function isElsaDocument(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const document = value as Record<string, unknown>;
  const root = document.root as Record<string, unknown> | undefined;
  return (typeof root === 'object' && root !== null && typeof root.type === 'string' && root.type.startsWith('Elsa.'))
    || typeof document.definitionId === 'string'
    || (Array.isArray(document.activities) && !Array.isArray(document.nodes));
}
