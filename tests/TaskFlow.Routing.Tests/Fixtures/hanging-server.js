'use strict';

// A server that starts, answers initialize, ping and tools/list, and then never answers a
// tools/call: the request is read and dropped, as by a server stuck in a deadlock or waiting on
// a backend that never replies. The process stays alive, so the session never ends either.

const { serve, tool } = require('./mcp-stdio.js');

serve({
  name: 'hanging-server',
  tools: [tool('wait_forever', 'Never returns.')],
  onCall() {
    // No answer, ever.
  },
});
