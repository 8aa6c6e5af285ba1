import type { DragEvent } from 'react';
import type { ActivityDescriptor } from '../api/types';
import { paletteMime } from '../canvas/dragData';

/** One activity type, dragged onto the canvas to add a node. */
export default function PaletteItem({ activity }: { activity: ActivityDescriptor }) {
  const onDragStart = (event: DragEvent) => {
    event.dataTransfer.setData(paletteMime, activity.type);
    event.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <li className="tf-palette-item" draggable onDragStart={onDragStart} title={activity.description} data-testid={`palette-${activity.type}`}>
      <span className="tf-palette-name">{activity.displayName}</span>
      <span className="tf-palette-type">{activity.type}</span>
    </li>
  );
}
