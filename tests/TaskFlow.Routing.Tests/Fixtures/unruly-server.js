'use strict';

// A server that lists its tools correctly and then misbehaves in the ways a busy fleet meets:
//   half_answer  writes the first half of its answer line and then nothing more, as a server
//                that stalls in the middle of writing a response;
//   stall        blocks the server's only thread (a deadlock, a synchronous call that never
//                returns): from then on it answers nothing, ping included;
//   flood        sends FLOOD_COUNT (default 20000) log notifications, and progress
//                notifications when the call asked for progress, before it answers "done";
//   huge         answers with one text block of HUGE_MB (default 50) megabytes;
//   garbage      writes lines that are no answer: text that is not JSON, JSON that is not
//                JSON-RPC, a JSON-RPC answer to a request nobody sent, and an answer to its own
//                request with neither result nor error; then it answers "done" properly;
//   pid          answers the process id at once.
// No real server does these on demand, so the failure tests use this fixture.

const { serve, tool } = require('./mcp-stdio.js');

const FLOOD_COUNT = Number.parseInt(process.env.FLOOD_COUNT ?? '20000', 10);
const HUGE_MB = Number.parseInt(process.env.HUGE_MB ?? '50', 10);

serve({
  name: 'unruly-server',
  tools: [
    tool('half_answer', 'Stops in the middle of its answer.'),
    tool('stall', 'Blocks the server for good.'),
    tool('flood', 'Floods notifications, then answers.'),
    tool('huge', 'Answers with a very large result.'),
    tool('pid', 'Answers the process id.'),
    tool('garbage', 'Writes lines that are no answer, then answers.'),
  ],
  onCall(server, request) {
    switch (request.params?.name) {
      case 'half_answer': {
        const whole = JSON.stringify({ jsonrpc: '2.0', id: request.id, result: { content: [{ type: 'text', text: 'never finished' }] } });
        process.stdout.write(whole.slice(0, Math.floor(whole.length / 2)));
        break;
      }
      case 'stall':
        // Sleeps the thread without using the CPU, until the process is stopped.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
        break;
      case 'flood': {
        const token = request.params?._meta?.progressToken;
        for (let i = 0; i < FLOOD_COUNT; i++) {
          server.send({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', logger: 'flood', data: `line ${i}` } });
          if (token !== undefined) {
            server.send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: token, progress: i + 1, total: FLOOD_COUNT } });
          }
        }
        server.text(request.id, 'done');
        break;
      }
      case 'huge':
        server.text(request.id, 'x'.repeat(HUGE_MB * 1024 * 1024));
        break;
      case 'garbage':
        process.stdout.write('this is not JSON at all\n');
        process.stdout.write('{"hello": "a JSON object that is no JSON-RPC message"}\n');
        process.stdout.write('[1, 2, 3]\n');
        process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id: 'nobody-asked-987654', result: { content: [] } }) + '\n');
        process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id: request.id }) + '\n');
        server.text(request.id, 'done');
        break;
      case 'pid':
        server.text(request.id, String(process.pid));
        break;
      default:
        server.fail(request.id, -32602, `Unknown tool: ${request.params?.name}`);
    }
  },
});
