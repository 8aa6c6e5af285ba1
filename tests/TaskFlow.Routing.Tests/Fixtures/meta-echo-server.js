'use strict';

// A server whose one tool, "meta", answers with the _meta member of the call it received, as
// JSON: a test can see what travelled with the call (the progress token, the W3C trace context).

const { serve, tool } = require('./mcp-stdio.js');

serve({
  name: 'meta-echo-server',
  tools: [tool('meta', 'Answers with the _meta of the call, as JSON.')],
  onCall(server, request) {
    server.text(request.id, JSON.stringify(request.params?._meta ?? {}));
  },
});
