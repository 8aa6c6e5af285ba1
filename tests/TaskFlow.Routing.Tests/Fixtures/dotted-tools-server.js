'use strict';

// A server whose own tool names break the rule most MCP clients apply to names
// (^[a-zA-Z0-9_-]{1,64}$): dots, a name that cleans to the same as another, and one far too long.
// Each tool answers with its own name, so a test can see which one a call reached.

const { serve, tool } = require('./mcp-stdio.js');

const names = [
  'files.read',
  'files_read',
  'a.tool.with.a.name.much.longer.than.sixty.four.characters.allows.for.any.client',
];

serve({
  name: 'dotted-tools-server',
  tools: names.map((name) => tool(name, `Answers "${name}".`)),
  onCall(server, request) {
    server.text(request.id, `called ${request.params.name}`);
  },
});
