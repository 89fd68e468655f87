// Baseline: a Socket.IO broadcast server on the same load: every `m` event is emitted to everyone.
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const http = createServer();
const io = new Server(http, { transports: ['websocket'], maxHttpBufferSize: 1 << 20 });
io.on('connection', (socket) => {
  socket.on('m', (frame: unknown) => io.emit('m', frame));
});
http.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('listening\n'));
