import type { DragEvent } from 'react';
import type { ActivityDescriptor } from '../api/types';
import { paletteMime } from '../canvas/dragData';
import CategoryIcon from './CategoryIcon';

/**
 * One activity type, dragged onto the canvas to add a node: its icon, readable name, type, whether
 * it is pure (its steps run inside the commit that made them due) and description.
 */
export default function PaletteItem({ activity }: { activity: ActivityDescriptor }) {
  const onDragStart = (event: DragEvent) => {
    event.dataTransfer.setData(paletteMime, activity.type);
    event.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <li className="tf-palette-item" draggable onDragStart={onDragStart} title={activity.description} data-testid={`palette-${activity.type}`}>
      <CategoryIcon category={activity.category} />
      <span className="tf-palette-text">
        <span className="tf-palette-name" data-testid={`palette-name-${activity.type}`}>{activity.displayName}</span>
        <code className="tf-palette-type">{activity.type}</code>
        {activity.pure && (
          <span className="tf-palette-pure" data-testid={`palette-pure-${activity.type}`} title="Pure: touches nothing outside the instance, so its steps run inside the commit that made them due, without a checkpoint of their own.">
            pure
          </span>
        )}
        <span className="tf-palette-description" data-testid={`palette-description-${activity.type}`}>{activity.description}</span>
      </span>
    </li>
  );
}
