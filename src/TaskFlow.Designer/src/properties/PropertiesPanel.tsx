import type { ActivityDescriptor } from '../api/types';
import { defaultPort } from '../mapping/definition';
import type { Problem } from '../mapping/problems';
import type { DesignerDocument } from '../document/useDesignerDocument';
import DefinitionProperties from './DefinitionProperties';
import EdgeProperties from './EdgeProperties';
import NodeProperties from './NodeProperties';

interface PropertiesPanelProps {
  document: DesignerDocument;
  activities: ReadonlyMap<string, ActivityDescriptor>;
  problems: ReadonlyMap<string, Problem[]>;
}

/** Edits what is selected: one node, one edge, or (nothing selected) the workflow. */
export default function PropertiesPanel({ document, activities, problems }: PropertiesPanelProps) {
  const { graph, commit } = document;
  const nodes = graph.nodes.filter((n) => n.selected);
  const edges = graph.edges.filter((e) => e.selected);

  if (nodes.length === 1 && edges.length === 0) {
    const node = nodes[0];
    return (
      <NodeProperties
        key={node.id}
        definition={node.data.definition}
        activity={activities.get(node.data.definition.type)}
        problems={problems.get(node.id)}
        onChange={(definition) => commit((g) => ({ ...g, nodes: g.nodes.map((n) => (n.id === node.id ? { ...n, data: { ...n.data, definition } } : n)) }))}
      />
    );
  }
  if (edges.length === 1 && nodes.length === 0) {
    const edge = edges[0];
    const source = graph.nodes.find((n) => n.id === edge.source);
    const ports = activities.get(source?.data.definition.type ?? '')?.outcomes ?? [defaultPort];
    return (
      <EdgeProperties
        key={edge.id}
        edge={edge}
        ports={ports.length > 0 ? ports : [defaultPort]}
        onChange={(changed) => commit((g) => ({ ...g, edges: g.edges.map((e) => (e.id === edge.id ? changed : e)) }))}
      />
    );
  }
  if (nodes.length + edges.length > 1) {
    return <div className="tf-properties"><p>{nodes.length} nodes and {edges.length} edges selected.</p></div>;
  }
  return <DefinitionProperties meta={graph.meta} onChange={(meta) => commit((g) => ({ ...g, meta }))} />;
}
