// Heap readings of another Node process over its DevTools inspector (started with
// --inspect=127.0.0.1:<port>): force a full GC, then read process.memoryUsage()
// inside it. Works the same for the relay and the baselines, with no code of theirs involved.
import WebSocket from 'ws';

export interface HeapReading {
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  rss: number;
}

interface Reply {
  id?: number;
  result?: { result?: { value?: unknown } };
  error?: { message: string };
}

async function debuggerUrl(port: number): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
        webSocketDebuggerUrl: string;
      }[];
      const url = targets[0]?.webSocketDebuggerUrl;
      if (url) return url;
    } catch {
      // the inspector is not listening yet
    }
    if (Date.now() > deadline) throw new Error(`no inspector on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Collects garbage twice (weak and finalised objects go in the second pass) and reads memory. */
export async function heapAfterGc(port: number): Promise<HeapReading> {
  const ws = new WebSocket(await debuggerUrl(port), { perMessageDeflate: false });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let nextId = 1;
  const waiting = new Map<number, (reply: Reply) => void>();
  ws.on('message', (data: Buffer) => {
    const reply = JSON.parse(data.toString()) as Reply;
    if (reply.id !== undefined) waiting.get(reply.id)?.(reply);
  });
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<Reply>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, (reply) =>
        reply.error ? reject(new Error(`${method}: ${reply.error.message}`)) : resolve(reply),
      );
      ws.send(JSON.stringify({ id, method, params }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    const reply = await call('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    });
    return JSON.parse(String(reply.result?.result?.value)) as HeapReading;
  } finally {
    ws.close();
  }
}
