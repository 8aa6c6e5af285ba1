import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from '@xyflow/react';
import { memo } from 'react';
import { conditionText, type FlowEdge } from '../mapping/graph';

/** An edge; a conditional one is dashed and labelled with its label, or its condition when it has none; a loop edge is marked ↺. */
function FlowEdgeView({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected, markerEnd }: EdgeProps<FlowEdge>) {
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const text = [data?.loop ? '↺' : '', data?.label || conditionText(data?.condition)].filter(Boolean).join(' ');
  const conditional = Boolean(data?.condition);
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        markerEnd={markerEnd}
        className={`tf-edge${conditional ? ' conditional' : ''}${data?.loop ? ' loop' : ''}${selected ? ' selected' : ''}`}
      />
      {text && (
        <EdgeLabelRenderer>
          <div
            className="tf-edge-label nodrag nopan"
            data-testid={`edge-label-${id}`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          >
            {text}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export default memo(FlowEdgeView);
