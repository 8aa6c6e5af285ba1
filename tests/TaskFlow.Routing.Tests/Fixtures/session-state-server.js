'use strict';

// A server that keeps state per session, as servers on the initialize handshake may: one
// process is one session, and what it is told it remembers for that session only.
// - remember {text}: adds the text to this session's memory.
// - recall: answers "<pid>:<texts joined by commas>".

const { serve, tool } = require('./mcp-stdio.js');

const memory = [];

serve({
  name: 'session-state-server',
  tools: [tool('remember', 'Remembers the text for this session.'), tool('recall', 'Says what this session was told.')],
  onCall(server, request) {
    const name = request.params?.name;
    if (name === 'remember') {
      memory.push(request.params?.arguments?.text ?? '');
      server.text(request.id, 'ok');
    } else if (name === 'recall') {
      server.text(request.id, `${process.pid}:${memory.join(',')}`);
    } else {
      server.fail(request.id, -32602, `Unknown tool: ${name}`);
    }
  },
});
