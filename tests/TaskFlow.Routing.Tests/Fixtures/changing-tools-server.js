'use strict';

// A server whose tools change while it runs, and which says so with
// notifications/tools/list_changed (it declares tools.listChanged).
// - add_tool {name}: adds a tool of that name, sends the notification, then answers.
// - ADD_ON_FIRST_LIST=<name>: when the first tools/list arrives, the server answers it with the
//   list as it was when the request arrived, but first adds <name> and sends the notification,
//   as a server still registering tools at start does. LIST_DELAY_MS delays every tools/list
//   answer, so the notification arrives well before the (now stale) listing.
// Every added tool answers "<name> ran".

const { serve, tool } = require('./mcp-stdio.js');

const LIST_DELAY_MS = Number.parseInt(process.env.LIST_DELAY_MS ?? '0', 10);
let addOnFirstList = process.env.ADD_ON_FIRST_LIST || null;

function add(server, name) {
  if (!server.tools.some((t) => t.name === name)) {
    server.tools = [...server.tools, tool(name, `Added while running: ${name}.`)];
  }

  server.notifyToolsChanged();
}

serve({
  name: 'changing-tools-server',
  tools: [tool('add_tool', 'Adds a tool named by the text argument.')],
  onList(server, request) {
    const snapshot = server.tools;
    if (addOnFirstList !== null) {
      const name = addOnFirstList;
      addOnFirstList = null;
      add(server, name);
    }

    setTimeout(() => server.reply(request.id, { tools: snapshot }), LIST_DELAY_MS);
  },
  onCall(server, request) {
    const name = request.params?.name;
    if (name === 'add_tool') {
      const added = request.params?.arguments?.text;
      add(server, added);
      server.text(request.id, `added ${added}`);
    } else if (server.tools.some((t) => t.name === name)) {
      server.text(request.id, `${name} ran`);
    } else {
      server.fail(request.id, -32602, `Unknown tool: ${name}`);
    }
  },
});
