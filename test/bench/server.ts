// What every server under test offers the harness: sockets into one room, the text a client
// writes to send a message, its process (to pin it and read its CPU), and a restart.
import type { Envelope, Member } from './envelopes';
import type { Frame } from './frames';

export type FrameSink = (frame: Frame) => void;

export interface BenchSocket {
  write(text: string): void;
  /** Drops the connection without a closing handshake (fast teardown between runs). */
  terminate(): void;
}

export interface Server {
  readonly name: string;
  /** The process under test, pinned to the server core. */
  readonly pid: number;
  /** True when a send counts as accepted at the sender's own echo (the baselines have no acks). */
  readonly acksByEcho: boolean;
  /** The DevTools port, when started for memory readings. */
  readonly inspectPort: number | undefined;
  /** The text a client writes to send `envelope`. */
  outgoing(envelope: Envelope): string;
  /** Opens a socket as `member`; it is in the room and live once this resolves. */
  open(member: Member, sink: FrameSink): Promise<BenchSocket>;
  /** A new process with the same state (accounts stay), pinned again. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Start the process with the inspector on a free port (for heap readings). */
  inspect?: boolean;
}
