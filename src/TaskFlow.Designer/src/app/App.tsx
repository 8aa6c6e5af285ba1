import { ReactFlowProvider } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { captureApiKey, setApiKey } from '../api/apiKey';
import { ApiError, errorMessage } from '../api/client';
import { cancelInstance, retryNode, runDefinition } from '../api/endpoints';
import type { Instance } from '../api/types';
import Canvas from '../canvas/Canvas';
import { DesignerContext, type DesignerView } from '../canvas/DesignerContext';
import { useKeyboard } from '../canvas/useKeyboard';
import DecomposePanel from '../decompose/DecomposePanel';
import AgentTasksPanel from '../agents/AgentTasksPanel';
import { TemplateScopeContext } from '../editor/TemplateScopeContext';
import { templateScope } from '../editor/templateScope';
import type { JsonValue } from '../mapping/definition';
import JsonView from '../document/JsonView';
import { useDesignerDocument } from '../document/useDesignerDocument';
import { problemsByNode, type Problem } from '../mapping/problems';
import Palette from '../palette/Palette';
import PropertiesPanel from '../properties/PropertiesPanel';
import RunPanel from '../run/RunPanel';
import RunView from '../run/RunView';
import { useInstanceOverlay } from '../run/useInstanceOverlay';
import { downloadJson } from '../toolbar/files';
import Toolbar from '../toolbar/Toolbar';
import KeyPrompt from './KeyPrompt';
import Notice, { type NoticeMessage } from './Notice';
import ProblemList from './ProblemList';
import Sidebar, { type Tab } from './Sidebar';
import Welcome from './Welcome';
import { useCatalog } from './useCatalog';
import { useWorkflowFile } from './useWorkflowFile';

/** The designer: palette, canvas and a panel for properties, JSON, runs and decomposition. */
export default function App() {
  const [key, setKey] = useState(() => captureApiKey());
  const catalog = useCatalog(Boolean(key));
  const document = useDesignerDocument();
  const [notice, setNotice] = useState<NoticeMessage | null>(null);
  const [tab, setTab] = useState<Tab>('properties');
  const [instanceId, setInstanceId] = useState<string | null>(null);
  const [runError, setRunError] = useState<string | null>(null);
  const [clickedNode, setClickedNode] = useState<string | null>(null);
  const overlay = useInstanceOverlay(instanceId);
  useKeyboard(document, Boolean(key) && !instanceId);

  const say = useCallback((text: string, kind: NoticeMessage['kind'] = 'info') => setNotice({ text, kind, at: Date.now() }), []);
  const sayError = useCallback((text: string) => say(text, 'error'), [say]);
  const stopFollowing = useCallback(() => setInstanceId(null), []);
  const file = useWorkflowFile(document, Boolean(key), say, stopFollowing);
  const { stored, problems, storage, open, save } = file;

  // Keyed by the ids, not the node array, which changes on every move and measurement: the
  // context below re-renders every node when it changes.
  const idList = document.graph.nodes.map((n) => n.id).join('\n');
  const nodeIds = useMemo(() => (idList ? idList.split('\n') : []), [idList]);
  const typeList = document.graph.nodes.map((n) => `${n.id}\t${n.data.definition.type}`).join('\n');
  const nodeTypes = useMemo(() => new Map(typeList ? typeList.split('\n').map((line) => line.split('\t') as [string, string]) : []), [typeList]);
  const grouped = useMemo(() => problemsByNode(problems, nodeIds), [problems, nodeIds]);
  const view: DesignerView = useMemo(
    () => ({ activities: catalog.byType, problems: grouped, states: instanceId ? overlay.states : null, focused: instanceId ? clickedNode : null }),
    [catalog.byType, grouped, instanceId, overlay.states, clickedNode],
  );

  // The outputs of the latest run seen of the open definition: completion offers their fields,
  // also after going back to editing.
  const [runOutputs, setRunOutputs] = useState<{ definitionId: string; outputs: Map<string, JsonValue | undefined> } | null>(null);
  useEffect(() => {
    const shown = overlay.instance;
    if (shown) setRunOutputs({ definitionId: shown.definitionId, outputs: new Map(shown.nodes.map((n) => [n.nodeId, n.output])) });
  }, [overlay.instance]);
  const current = document.toDefinition();
  const outputs = runOutputs && runOutputs.definitionId === current.id ? runOutputs.outputs : undefined;
  // Keyed by what the scope is made of, not the definition object, which is new on every render.
  const scopeKey = JSON.stringify([current.inputs ?? null, current.nodes.map((n) => [n.id, n.type, n.type === 'setVariable' ? n.inputs?.name ?? null : null])]);
  const scope = useMemo(() => templateScope(current, outputs), [scopeKey, outputs]);


  const run = useCallback(async (input: unknown) => {
    setRunError(null);
    const target = document.dirty || !stored ? await save() : stored;
    if (!target) {
      setRunError('Save the workflow without problems first.');
      return;
    }
    try {
      const started = await runDefinition(target.id, input, target.version);
      setClickedNode(null);
      setInstanceId(started.id);
    } catch (e) {
      setRunError(errorMessage(e));
    }
  }, [document.dirty, save, stored]);

  const openInstance = useCallback(async (instance: Instance) => {
    if (!stored || stored.id !== instance.definitionId || stored.version !== instance.definitionVersion || document.dirty) {
      if (!(await open(instance.definitionId, instance.definitionVersion))) return;
    }
    setClickedNode(null);
    setInstanceId(instance.id);
  }, [document.dirty, open, stored]);

  // ?definition=ID opens that definition at start (a link to share, and what the benchmark opens).
  useEffect(() => {
    const id = new URLSearchParams(window.location.search).get('definition');
    if (key && id) void open(id);
    // Only once, at start.
  }, []);

  const selectProblem = useCallback((problem: Problem) => {
    const nodeId = [...grouped].find(([, list]) => list.includes(problem))?.[0];
    if (!nodeId) return;
    document.commit((g) => ({ ...g, nodes: g.nodes.map((n) => ({ ...n, selected: n.id === nodeId })) }));
    setTab('properties');
  }, [document, grouped]);

  if (!key || (catalog.error instanceof ApiError && catalog.error.status === 401)) {
    return <KeyPrompt message={key ? 'The API key was not accepted. Enter a valid key.' : undefined} onKey={(k) => { setApiKey(k); setKey(k); window.location.reload(); }} />;
  }

  const definition = document.toDefinition();
  return (
    <DesignerContext.Provider value={view}>
      <TemplateScopeContext.Provider value={scope}>
      <div className="tf-app" data-testid="designer" data-ready={catalog.activities.length > 0} data-nodes={document.graph.nodes.length}>
        <Toolbar
          title={`${definition.name || definition.id}${stored ? ` · v${stored.version}` : ''}`}
          dirty={document.dirty}
          busy={file.busy}
          definitions={storage.definitions}
          versions={storage.versions}
          samples={storage.samples}
          currentVersion={stored?.version ?? null}
          canUndo={document.canUndo}
          canRedo={document.canRedo}
          onNew={file.startNew}
          onOpen={(id) => void open(id)}
          onOpenVersion={(v) => stored && void open(stored.id, v)}
          onOpenSample={(id) => void file.openSample(id)}
          onSave={() => void save()}
          onValidate={() => void file.validate()}
          onImport={(f) => void file.importFile(f)}
          onExport={() => downloadJson(`${definition.id}.json`, definition)}
          onLayout={() => void document.layout()}
          onUndo={document.undo}
          onRedo={document.redo}
        />
        {catalog.errorText && <p className="tf-field-error">The activity catalog could not be loaded: {catalog.errorText}</p>}
        <div className="tf-main">
          <Palette activities={catalog.activities} />
          <div className="tf-center">
            <ReactFlowProvider>
              <Canvas
                document={document}
                activities={catalog.byType}
                readOnly={Boolean(instanceId)}
                onNotice={sayError}
                onNodeClick={setClickedNode}
              />
            </ReactFlowProvider>
            {storage.loaded && storage.definitions.length === 0 && document.graph.nodes.length === 0 && (
              <Welcome samples={storage.samples} onOpenSample={(id) => void file.openSample(id)} />
            )}
            <ProblemList problems={problems} onSelect={selectProblem} />
            {instanceId && (
              <RunView events={overlay.events} nodeTypes={nodeTypes} selectedNode={clickedNode}
                onSelectNode={(id) => { setClickedNode(id); setTab('run'); }} />
            )}
          </div>
          <Sidebar tab={tab} onTab={setTab}>
            {tab === 'properties' && <PropertiesPanel document={document} activities={catalog.byType} problems={grouped} />}
            {tab === 'json' && <JsonView definition={definition} activities={catalog.byType} problems={problems} onApply={(d) => file.show(d, { dirty: true, keepHistory: true })} />}
            {tab === 'run' && (
              <RunPanel
                instance={overlay.instance}
                instanceId={instanceId}
                definitionId={stored?.id ?? null}
                selectedNode={clickedNode}
                busy={file.busy}
                error={runError ?? overlay.error}
                onRun={(input) => void run(input)}
                onCancel={() => instanceId && void cancelInstance(instanceId).then(() => overlay.refresh(), (e) => say(errorMessage(e), 'error'))}
                onRetry={(nodeId) => instanceId && void retryNode(instanceId, nodeId).then(overlay.followAgain, (e) => say(errorMessage(e), 'error'))}
                onChanged={() => void overlay.refresh()}
                progress={overlay.states}
                onOpenInstance={(i) => void openInstance(i)}
                onClose={() => setInstanceId(null)}
              />
            )}
            {tab === 'decompose' && (
              <DecomposePanel generated={file.decomposed} onGenerated={file.showDecomposed} />
            )}
            {tab === 'agents' && <AgentTasksPanel />}
          </Sidebar>
        </div>
        <Notice notice={notice} onClose={() => setNotice(null)} />
      </div>
      </TemplateScopeContext.Provider>
    </DesignerContext.Provider>
  );
}
