import { defaultPort, type EdgeDefinition, type NodeDefinition, type WorkflowDefinition } from './definition';
import type { ActivityNode, DefinitionMeta, FlowEdge } from './graph';

/** The definition document of a canvas graph; positions become each node's layout (rounded to whole pixels). */
export function graphToDefinition(meta: DefinitionMeta, nodes: readonly ActivityNode[], edges: readonly FlowEdge[]): WorkflowDefinition {
  const nodeDefinitions: NodeDefinition[] = nodes.map((node) => ({
    ...node.data.definition,
    id: node.id,
    layout: { ...(node.data.layoutExtra ?? {}), x: Math.round(node.position.x), y: Math.round(node.position.y) },
  }));

  const edgeDefinitions: EdgeDefinition[] = edges.map((edge) => {
    const definition: EdgeDefinition = { from: edge.source, to: edge.target };
    if (edge.data?.definitionId) definition.id = edge.data.definitionId;
    const port = edge.sourceHandle ?? defaultPort;
    if (port !== defaultPort) definition.fromPort = port;
    if (edge.data?.toPort) definition.toPort = edge.data.toPort;
    if (edge.data?.condition) definition.condition = edge.data.condition;
    if (edge.data?.label) definition.label = edge.data.label;
    if (edge.data?.loop) definition.loop = true;
    if (edge.data?.loop && edge.data.maxIterations != null) definition.maxIterations = edge.data.maxIterations;
    return definition;
  });

  return { ...meta, id: meta.id, nodes: nodeDefinitions, edges: edgeDefinitions };
}
