'use strict';

// A server that starts and lists its tools correctly, then answers mangle with a line that is
// not JSON, followed by a JSON-RPC response for the request whose result is not a
// CallToolResult (content is a number, not a list of blocks): a server with a broken
// serializer, or one that prints debug output to stdout.
// Two well-behaved tools tell processes apart: pid answers the process id at once, slow_pid
// after SLOW_MS (default 1500) milliseconds.

const { serve, tool } = require('./mcp-stdio.js');

const SLOW_MS = Number.parseInt(process.env.SLOW_MS ?? '1500', 10);

serve({
  name: 'garbage-server',
  tools: [
    tool('mangle', 'Answers with garbage.'),
    tool('pid', 'Answers the process id.'),
    tool('slow_pid', 'Answers the process id, slowly.'),
  ],
  onCall(server, request) {
    switch (request.params?.name) {
      case 'mangle':
        process.stdout.write('debug: handling mangle <<not json>>\n');
        server.reply(request.id, { content: 42, isError: 'maybe' });
        break;
      case 'pid':
        server.text(request.id, String(process.pid));
        break;
      case 'slow_pid':
        setTimeout(() => server.text(request.id, String(process.pid)), SLOW_MS);
        break;
      default:
        server.fail(request.id, -32602, `Unknown tool: ${request.params?.name}`);
    }
  },
});
