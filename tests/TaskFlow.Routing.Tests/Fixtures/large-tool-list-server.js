'use strict';

// A server with a very large tool list, like claude-flow's (about 350 tools, over 256 KB of
// tools/list): tool_000 to tool_349, each with a long description and a wide input schema.
// PAGE_SIZE pages the listing with nextCursor; 0 (the default) sends every tool in one answer,
// which puts the whole list on one stdout line.

const { serve } = require('./mcp-stdio.js');

const TOOL_COUNT = 350;
const PAGE_SIZE = Number.parseInt(process.env.PAGE_SIZE ?? '0', 10);

function largeTool(i) {
  const name = 'tool_' + String(i).padStart(3, '0');
  const properties = {};
  for (let p = 0; p < 4; p++) {
    properties['field_' + p] = {
      type: 'string',
      description: `Field ${p} of ${name}: ` + 'a setting described at length, as generated schemas are.',
      enum: ['alpha', 'beta', 'gamma', 'delta', 'epsilon'].map((v) => `${v}_${p}`),
    };
  }

  return {
    name,
    description: `Tool ${i} of ${TOOL_COUNT}. ` + 'It does one small thing for the swarm and reports back. '.repeat(3),
    inputSchema: { type: 'object', properties, required: ['field_0'] },
  };
}

const tools = Array.from({ length: TOOL_COUNT }, (_, i) => largeTool(i));

serve({
  name: 'large-tool-list-server',
  tools,
  onList(server, request) {
    if (!(PAGE_SIZE > 0)) {
      server.reply(request.id, { tools: server.tools });
      return;
    }

    const start = Number.parseInt(request.params?.cursor ?? '0', 10);
    const end = Math.min(start + PAGE_SIZE, server.tools.length);
    const page = { tools: server.tools.slice(start, end) };
    if (end < server.tools.length) {
      page.nextCursor = String(end);
    }

    server.reply(request.id, page);
  },
  onCall(server, request) {
    const name = request.params?.name;
    if (!server.tools.some((t) => t.name === name)) {
      server.fail(request.id, -32602, `Unknown tool: ${name}`);
      return;
    }

    server.text(request.id, `${name} ran with field_0=${request.params?.arguments?.field_0}`);
  },
});
