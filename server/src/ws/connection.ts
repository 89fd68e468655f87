// One authenticated socket: who it belongs to, which channels it follows, and how frames reach
// it. Per channel it is either live (frames go out at once) or catching up (a sync or a join is
// in progress): live frames are then queued and flushed after the catch-up, skipping what the
// catch-up already covered, so each entry reaches the client once and in order.
import type { WebSocket } from 'ws';
import type { Logger } from '../log';
import type { RelayMetrics } from '../metrics';
import type { ServerFrame } from '../protocol';
import { CloseCode } from './errors';

/**
 * A frame serialized once, for fan-out: every socket gets the same bytes, so a message to 1,000
 * members costs one JSON.stringify and one UTF-8 encoding, not 1,000.
 */
export class EncodedFrame {
  readonly data: Buffer;
  constructor(frame: ServerFrame) {
    this.data = Buffer.from(JSON.stringify(frame));
  }
}

/** A live frame held back while its channel catches up; `seq` orders and filters it. */
export interface QueuedFrame {
  kind: 'message' | 'deleted';
  seq: number;
  frame: EncodedFrame;
}

/** Queued frames beyond this are dropped; the entries stay in the store for sync and fetch. */
const MAX_QUEUED_PER_CHANNEL = 2_000;

export interface ChannelView {
  /** First seq the user may read in this channel. */
  joinedSeq: number;
  /** null: live. An array: catching up, live frames wait here. */
  queue: QueuedFrame[] | null;
  /** Frames were dropped from a full queue: the next catch-up must re-read from the store. */
  overflowed: boolean;
}

export interface ConnectionOptions {
  maxBufferedBytes: number;
  /** How long a socket closed by the relay may take to read its backlog and the close frame. */
  closeGraceMs: number;
  logger: Logger;
  metrics: RelayMetrics;
}

let nextConnectionId = 1;

export class Connection {
  readonly id = nextConnectionId++;
  readonly openedAt = Date.now();
  readonly channels = new Map<string, ChannelView>();
  /** Cleared at each heartbeat ping, set by the pong. */
  alive = true;
  /** Requests being handled, to bound what one socket can have in flight. */
  inFlight = 0;
  lastSessionCheck = Date.now();
  #closed = false;
  #chain: Promise<void> = Promise.resolve();

  constructor(
    readonly ws: WebSocket,
    readonly userId: string,
    readonly session: { tokenHash: string; expiresAt: number },
    private readonly opts: ConnectionOptions,
  ) {
    ws.once('close', () => {
      this.#closed = true;
    });
  }

  get closed(): boolean {
    return this.#closed || this.ws.readyState !== this.ws.OPEN;
  }

  /** More unread data waits in the send buffer than the cap allows. */
  get overBuffered(): boolean {
    return this.ws.bufferedAmount > this.opts.maxBufferedBytes;
  }

  /**
   * Sends a frame; false when the socket is closed. A client that lets more than the cap pile up
   * in the send buffer is closed as a slow consumer.
   */
  send(frame: ServerFrame | EncodedFrame, onWritten?: (err?: Error) => void): boolean {
    if (this.closed) return false;
    if (this.overBuffered) {
      this.closeSlowConsumer();
      return false;
    }
    // A Buffer sent as text goes out as is; ws would re-encode a string for every socket.
    if (frame instanceof EncodedFrame) this.ws.send(frame.data, { binary: false }, onWritten);
    else this.ws.send(JSON.stringify(frame), onWritten);
    return true;
  }

  /** Sends a frame and resolves once it has been handed to the OS (backpressure for bulk sends). */
  sendAndDrain(frame: ServerFrame): Promise<boolean> {
    return new Promise((resolve) => {
      if (!this.send(frame, (err) => resolve(!err && !this.closed))) resolve(false);
    });
  }

  /** A live timeline frame for a channel this socket follows: sent now, or queued while catching up. */
  deliver(channelId: string, item: QueuedFrame): void {
    const view = this.channels.get(channelId);
    if (!view || item.seq < view.joinedSeq) return;
    if (view.queue === null) {
      this.send(item.frame);
      return;
    }
    if (view.queue.length >= MAX_QUEUED_PER_CHANNEL) {
      view.queue = [];
      view.overflowed = true;
    }
    view.queue.push(item);
  }

  /** Ends a catch-up: sends queued frames the catch-up did not cover (seq > coveredSeq), goes live. */
  goLive(channelId: string, coveredSeq: number): void {
    const view = this.channels.get(channelId);
    if (!view || view.queue === null) return;
    const queued = view.queue;
    view.queue = null;
    view.overflowed = false;
    queued.sort((a, b) => a.seq - b.seq || (a.kind === b.kind ? 0 : a.kind === 'message' ? -1 : 1));
    for (const q of queued) {
      if (q.seq < view.joinedSeq) continue;
      if (q.kind === 'message' && q.seq <= coveredSeq) continue;
      this.send(q.frame);
    }
  }

  /** Runs tasks that change this socket's channel state one at a time, in order. */
  serially(task: () => Promise<void>): Promise<void> {
    const run = this.#chain.then(() => (this.closed ? undefined : task()));
    this.#chain = run.catch(() => {});
    return run;
  }

  closeSlowConsumer(): void {
    this.opts.logger.warn(
      { event: 'ws-slow-consumer', userId: this.userId, conn: this.id, buffered: this.ws.bufferedAmount },
      'closing a slow consumer',
    );
    this.close(CloseCode.slowConsumer, 'slow consumer: too much unread data');
  }

  /**
   * Closes with `code`. The close frame queues behind the unread backlog, so a client that reads
   * again within the grace period gets the backlog and then the code (4008 for a slow consumer);
   * one that does not is cut off, and sees 1006.
   */
  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.opts.metrics.socketCloses.inc({ code: String(code) });
    try {
      this.ws.close(code, reason);
    } catch {
      this.ws.terminate();
      return;
    }
    setTimeout(() => this.ws.terminate(), this.opts.closeGraceMs).unref();
  }

  /** Cuts the connection without a close frame (a dead socket); the client sees 1006. */
  terminate(): void {
    if (!this.#closed) this.opts.metrics.socketCloses.inc({ code: '1006' });
    this.#closed = true;
    this.ws.terminate();
  }
}
