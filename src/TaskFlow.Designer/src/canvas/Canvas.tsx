import {
  Background, Controls, MiniMap, ReactFlow, useReactFlow,
  type Connection, type Edge, type FinalConnectionState, type IsValidConnection,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, type DragEvent } from 'react';
import type { ActivityDescriptor } from '../api/types';
import { connectionProblem } from '../mapping/connectionRules';
import type { ActivityNode, FlowEdge } from '../mapping/graph';
import { newNodeId } from '../mapping/nodeIds';
import type { DesignerDocument } from '../document/useDesignerDocument';
import { defaultInputs } from '../properties/schemaValues';
import ActivityNodeView from './ActivityNodeView';
import FlowEdgeView from './FlowEdgeView';

import { paletteMime } from './dragData';

const nodeTypes = { activity: ActivityNodeView };
const deleteKeys = ['Delete', 'Backspace'];
const startViewport = { x: 0, y: 0, zoom: 1 };
const edgeTypes = { flow: FlowEdgeView };

interface CanvasProps {
  document: DesignerDocument;
  activities: ReadonlyMap<string, ActivityDescriptor>;
  readOnly: boolean;
  onNotice: (message: string) => void;
  onNodeClick: (nodeId: string) => void;
}

/** The graph editor: drop activities from the palette, connect ports (checked while dragging), move, select, delete. */
export default function Canvas({ document, activities, readOnly, onNotice, onNodeClick }: CanvasProps) {
  const { screenToFlowPosition, fitView } = useReactFlow();
  const { graph, fitRequest } = document;

  // After a load or a layout, show the whole graph (no closer than 100 %).
  useEffect(() => {
    if (fitRequest === 0) return;
    const frame = requestAnimationFrame(() => void fitView({ maxZoom: 1, padding: 0.15 }));
    return () => cancelAnimationFrame(frame);
  }, [fitRequest, fitView]);

  const isValidConnection: IsValidConnection<FlowEdge> = useCallback(
    (connection: FlowEdge | Connection) => connectionProblem(connection, graph.edges) === null,
    [graph.edges],
  );

  const onConnectEnd = useCallback((_: MouseEvent | TouchEvent, state: FinalConnectionState) => {
    if (state.isValid === false && state.fromHandle && state.toNode) {
      const problem = connectionProblem(
        { source: state.fromNode?.id ?? null, target: state.toNode.id, sourceHandle: state.fromHandle.id },
        graph.edges,
      );
      if (problem) onNotice(`Connection refused: ${problem}`);
    }
  }, [graph.edges, onNotice]);

  const onDragOver = useCallback((event: DragEvent) => {
    if (event.dataTransfer.types.includes(paletteMime)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
    }
  }, []);

  const onDrop = useCallback((event: DragEvent) => {
    const type = event.dataTransfer.getData(paletteMime);
    if (!type || readOnly) return;
    event.preventDefault();
    const position = screenToFlowPosition({ x: event.clientX, y: event.clientY });
    document.commit((current) => {
      const id = newNodeId(type, new Set(current.nodes.map((n) => n.id)));
      const node: ActivityNode = {
        id,
        type: 'activity',
        position: { x: position.x - 95, y: position.y - 30 },
        selected: true,
        data: { definition: { id, type, inputs: defaultInputs(activities.get(type)?.inputSchema) } },
      };
      return { ...current, nodes: [...current.nodes.map((n) => ({ ...n, selected: false })), node] };
    });
  }, [activities, document, readOnly, screenToFlowPosition]);

  // Every prop handed to React Flow keeps its identity across renders of the designer: a new
  // function or array there makes React Flow update its store, and with 500 nodes on the canvas
  // that costs a pass over all of them.
  const nodeClick = useCallback((_: unknown, node: ActivityNode) => onNodeClick(node.id), [onNodeClick]);
  const defaultEdgeOptions = useMemo(() => ({ type: 'flow', markerEnd: { type: 'arrowclosed' } }) as Partial<Edge>, []);

  return (
    <div className="tf-canvas" data-testid="canvas" onDragOver={onDragOver} onDrop={onDrop}>
      <ReactFlow<ActivityNode, FlowEdge>
        nodes={graph.nodes}
        edges={graph.edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={document.onNodesChange}
        onEdgesChange={document.onEdgesChange}
        onConnect={document.onConnect}
        onConnectEnd={onConnectEnd}
        onNodeDragStart={document.checkpoint}
        onNodeClick={nodeClick}
        isValidConnection={isValidConnection}
        defaultEdgeOptions={defaultEdgeOptions}
        nodesConnectable={!readOnly}
        nodesDraggable={!readOnly}
        deleteKeyCode={readOnly ? null : deleteKeys}
        onlyRenderVisibleElements
        minZoom={0.05}
        defaultViewport={startViewport}
      >
        <Background gap={20} />
        <Controls />
        <MiniMap pannable zoomable />
      </ReactFlow>
    </div>
  );
}
