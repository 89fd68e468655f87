// Baseline: a bare `ws` broadcast server. Every frame a client sends is relayed to every client,
// with no parsing, auth, storage or ordering: the floor any relay is measured against.
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ port: Number(process.env.PORT), host: '127.0.0.1', maxPayload: 1 << 20 });
wss.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => {
    for (const client of wss.clients) client.send(data, { binary: isBinary });
  });
});
wss.on('listening', () => process.stdout.write('listening\n'));
