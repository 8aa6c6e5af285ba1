import { useCallback, useEffect, useRef, useState, type UIEvent } from 'react';

/**
 * Windowing for a long list of fixed-height rows: only the rows in view (and a few around them)
 * are rendered, so an instance of thousands of nodes draws as fast as one of ten.
 */
export function useVirtualRows(count: number, rowHeight: number, overscan = 8) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);
  const [width, setWidth] = useState(800);

  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(() => {
      setHeight(element.clientHeight);
      setWidth(element.clientWidth);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const onScroll = useCallback((event: UIEvent<HTMLDivElement>) => setScrollTop(event.currentTarget.scrollTop), []);
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + overscan);

  /** Scrolls so that row <index> is in view. */
  const reveal = useCallback((index: number) => {
    const element = ref.current;
    if (!element || index < 0) return;
    const top = index * rowHeight;
    if (top < element.scrollTop || top + rowHeight > element.scrollTop + element.clientHeight) element.scrollTop = Math.max(0, top - element.clientHeight / 2);
  }, [rowHeight]);

  return { ref, onScroll, first, last, totalHeight: count * rowHeight, width, reveal };
}
