'use strict';

// A server that, like agentdb or server-postgres, does not exit when its stdin closes, and that
// runs a second process of its own (as servers started through npx or a launcher do). The child
// ignores SIGTERM as well, so only a SIGKILL to the whole process group ends both.

const { spawn } = require('node:child_process');
const { serve, tool } = require('./mcp-stdio.js');

const child = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);"], {
  stdio: 'ignore',
  env: process.env,
});

process.on('SIGTERM', () => {
  // Ignored: a stubborn server.
});
process.stdin.on('end', () => {
  // Ignored too: keep running after stdin closes.
});
setInterval(() => {}, 1000);

serve({
  name: 'stubborn-server',
  tools: [tool('child_pid', 'Answers the pid of its child process.')],
  onCall(server, request) {
    server.text(request.id, String(child.pid));
  },
});
