'use strict';

// The smallest MCP server over stdio that the failure tests need: newline-delimited JSON-RPC on
// stdin/stdout, answering initialize, ping, tools/list and tools/call. Each fixture script
// passes hooks that misbehave in one way; everything else behaves like a well-mannered server.
// No npm packages: the fixtures run on a bare node.

const readline = require('node:readline');

const DEFAULT_PROTOCOL = '2025-06-18';

/**
 * Starts serving on stdin/stdout and returns the server, whose tools may be changed.
 * @param {object} options
 * @param {string} options.name the serverInfo name
 * @param {Array<object>} options.tools the tools to list
 * @param {(server: object, request: object) => void} [options.onList] answers tools/list (default: every tool, one page)
 * @param {(server: object, request: object) => void} options.onCall answers tools/call
 */
function serve(options) {
  const server = {
    tools: options.tools,
    send(message) {
      process.stdout.write(JSON.stringify(message) + '\n');
    },
    reply(id, result) {
      server.send({ jsonrpc: '2.0', id, result });
    },
    fail(id, code, message) {
      server.send({ jsonrpc: '2.0', id, error: { code, message } });
    },
    notifyToolsChanged() {
      server.send({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    },
    text(id, text) {
      server.reply(id, { content: [{ type: 'text', text }] });
    },
  };

  const onList = options.onList ?? ((s, request) => s.reply(request.id, { tools: s.tools }));

  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (line.trim() === '') {
      return;
    }

    let message;
    try {
      message = JSON.parse(line);
    } catch {
      return;
    }

    // Notifications (initialized, cancelled) and answers to requests we never send need nothing.
    if (message.id === undefined || message.id === null || typeof message.method !== 'string') {
      return;
    }

    switch (message.method) {
      case 'initialize':
        server.reply(message.id, {
          protocolVersion: message.params?.protocolVersion ?? DEFAULT_PROTOCOL,
          capabilities: { tools: { listChanged: true } },
          serverInfo: { name: options.name, version: '1.0.0' },
        });
        break;
      case 'ping':
        server.reply(message.id, {});
        break;
      case 'tools/list':
        onList(server, message);
        break;
      case 'tools/call':
        options.onCall(server, message);
        break;
      default:
        server.fail(message.id, -32601, `Method not found: ${message.method}`);
    }
  });

  // When the client closes stdin the process ends by itself once pending writes and timers are
  // done; process.exit here would cut off an answer still being written to the pipe.
  return server;
}

/** A tool with one string argument. */
function tool(name, description) {
  return {
    name,
    description,
    inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
  };
}

module.exports = { serve, tool };
