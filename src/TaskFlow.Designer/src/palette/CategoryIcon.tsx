/** Line drawings (24×24, stroked) for the catalog's categories; a category the designer does not know gets a plain box. */
const icons: Record<string, { color: string; path: string }> = {
  'Control flow': { color: '#2f6fde', path: 'M4 6h6l4 6-4 6H4 M14 12h6 M17 9l3 3-3 3' },
  Data: { color: '#7b4fd6', path: 'M9 4c-3 0-3 2-3 4s-2 4-2 4 2 0 2 4 0 4 3 4 M15 4c3 0 3 2 3 4s2 4 2 4-2 0-2 4 0 4-3 4' },
  Integration: { color: '#0f8a8a', path: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18 M3 12h18 M12 3c-3 3-3 15 0 18 M12 3c3 3 3 15 0 18' },
  MCP: { color: '#c2410c', path: 'M9 3v5 M15 3v5 M6 8h12v4a6 6 0 0 1-12 0z M12 18v3' },
  Workspaces: { color: '#3e4c59', path: 'M3 5h18v14H3z M6 10l3 2-3 2 M11 15h5' },
  Decomposition: { color: '#b7791f', path: 'M12 3v6 M12 9l-6 6 M12 9l6 6 M4 15h4v5H4z M16 15h4v5h-4z M10 3h4' },
};
const other = { color: '#7b8794', path: 'M5 5h14v14H5z' };

export default function CategoryIcon({ category }: { category: string }) {
  const icon = icons[category] ?? other;
  return (
    <svg className="tf-category-icon" data-category={category} viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"
      fill="none" stroke={icon.color} strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
      <path d={icon.path} />
    </svg>
  );
}
