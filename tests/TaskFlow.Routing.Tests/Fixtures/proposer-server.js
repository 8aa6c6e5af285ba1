'use strict';

// A decomposer: proposes subtasks for a task, as an MCP tool that TaskFlow's decomposition asks
// through the router. It splits a description at " and ", each part after the one before it.
// - propose_subtasks {task, depth}: the parts as structured content { subtasks: [...] }; at depth 1
//   or more, or for a single part, no subtasks (the task runs as one).
// - propose_as_text: the same list, as JSON text only.
// - propose_failing: a tool error.
// - propose_garbage: text that is not JSON.

const { serve, tool } = require('./mcp-stdio.js');

function propose(args) {
  const task = args?.task ?? {};
  if ((args?.depth ?? 0) > 0) {
    return [];
  }

  const parts = String(task.description ?? '').split(' and ').map((p) => p.trim()).filter((p) => p.length > 0);
  if (parts.length < 2) {
    return [];
  }

  const share = Math.floor((task.complexity ?? 0) / parts.length);
  return parts.map((part, i) => ({
    id: `part${i + 1}`,
    description: part,
    complexity: share,
    dependencies: i === 0 ? [] : [`part${i}`],
    weight: i + 1,
    toolHints: ['planner'],
  }));
}

serve({
  name: 'proposer-server',
  tools: [
    tool('propose_subtasks', 'Proposes subtasks (structured).'),
    tool('propose_as_text', 'Proposes subtasks (text).'),
    tool('propose_failing', 'Always fails.'),
    tool('propose_garbage', 'Answers with text that is not JSON.'),
  ],
  onCall(server, request) {
    const args = request.params?.arguments;
    switch (request.params?.name) {
      case 'propose_subtasks': {
        const subtasks = propose(args);
        server.reply(request.id, { content: [{ type: 'text', text: JSON.stringify({ subtasks }) }], structuredContent: { subtasks } });
        break;
      }
      case 'propose_as_text':
        server.text(request.id, JSON.stringify(propose(args)));
        break;
      case 'propose_failing':
        server.reply(request.id, { content: [{ type: 'text', text: 'planner offline' }], isError: true });
        break;
      case 'propose_garbage':
        server.text(request.id, 'sure, here are some ideas');
        break;
      default:
        server.fail(request.id, -32602, `Unknown tool: ${request.params?.name}`);
    }
  },
});
