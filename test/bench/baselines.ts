// The baselines under test, each in its own process pinned to the server core like the relay: a
// bare `ws` broadcast server (the floor: no parsing, auth, storage or ordering) and Socket.IO.
// Their clients send the very message frame the relay would deliver, so every server moves the
// same bytes; a send counts as accepted when the sender sees its own echo.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { io as ioClient, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { freePort } from '../support/relay';
import { pinToCore, SERVER_CORE } from './cpu';
import type { BenchSocket, FrameSink, Server, StartOptions } from './server';

interface Running {
  child: ChildProcess;
  port: number;
}

async function spawnBaseline(script: string, inspectPort: number | undefined): Promise<Running> {
  const port = await freePort();
  const inspect = inspectPort ? [`--inspect=127.0.0.1:${inspectPort}`] : [];
  const child = spawn(
    process.execPath,
    [...inspect, '--import', 'tsx', fileURLToPath(new URL(script, import.meta.url))],
    {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${stderr}`)));
    child.stdout?.once('data', () => resolve());
  });
  child.removeAllListeners('exit');
  pinToCore(child.pid ?? null, SERVER_CORE);
  return { child, port };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function baseline(
  name: string,
  script: string,
  opts: StartOptions,
  open: (port: number, sink: FrameSink) => Promise<BenchSocket>,
): Promise<Server> {
  const inspectPort = opts.inspect ? await freePort() : undefined;
  let running = await spawnBaseline(script, inspectPort);
  return {
    name,
    get pid() {
      return running.child.pid ?? -1;
    },
    acksByEcho: true,
    inspectPort,
    outgoing: (e) => e.messageFrame,
    open: (_member, sink) => open(running.port, sink),
    async restart() {
      await stopChild(running.child);
      running = await spawnBaseline(script, inspectPort);
    },
    stop: () => stopChild(running.child),
  };
}

export function startWsBaseline(opts: StartOptions = {}): Promise<Server> {
  return baseline('bare ws', './baselines/ws-broadcast.ts', opts, (port, sink) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
    });
    ws.on('message', (data: Buffer) => sink(data));
    return new Promise((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () => resolve({ write: (text) => ws.send(text), terminate: () => ws.terminate() }));
    });
  });
}

export function startSocketIoBaseline(opts: StartOptions = {}): Promise<Server> {
  return baseline('Socket.IO', './baselines/socketio-broadcast.ts', opts, (port, sink) => {
    const socket: Socket = ioClient(`http://127.0.0.1:${port}`, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    socket.on('m', (frame: string) => sink(frame));
    return new Promise((resolve, reject) => {
      socket.once('connect_error', reject);
      socket.once('connect', () =>
        resolve({ write: (text) => void socket.emit('m', text), terminate: () => void socket.disconnect() }),
      );
    });
  });
}
