import { Readable } from 'node:stream';
import type { MessagePort, Transferable } from 'node:worker_threads';
import type { WorkerError } from '../worker/protocol';

/** Chunks in flight between the calling thread and the reading worker. */
const WINDOW = 4;

/** Messages from the calling thread to the worker. */
type ToWorker =
  | { type: 'chunk'; chunk: Uint8Array }
  | { type: 'end' }
  | { type: 'error'; error: WorkerError };

/** Messages from the worker to the calling thread. */
type ToCaller = { type: 'credit' } | { type: 'cancel' };

/**
 * True when a view covers the whole of an (unshared) ArrayBuffer, so the
 * buffer can be moved to another thread without taking anything else along.
 * Tag check rather than instanceof: the view may come from another realm.
 */
export function ownsWholeBuffer(view: ArrayBufferView): boolean {
  return (
    Object.prototype.toString.call(view.buffer) === '[object ArrayBuffer]' &&
    view.byteOffset === 0 &&
    view.byteLength === view.buffer.byteLength
  );
}

/** Serialises an error for a message. */
export function serializeError(error: unknown): WorkerError {
  const e =
    error instanceof Error ? error : new Error(String(error ?? 'unknown'));
  return { name: e.name, message: e.message, stack: e.stack };
}

/** One end of a stream forwarded to a worker; `stop()` ends the forwarding. */
export interface ForwardedStream {
  stop(): void;
}

/**
 * Forwards a stream's chunks to a worker over a MessagePort: Buffers that
 * own their whole ArrayBuffer are transferred (zero-copy), others copied.
 * At most a few chunks are in flight: the worker grants a credit for each
 * chunk its parser has taken, so memory stays bounded whatever the
 * stream's size. The calling thread only moves chunks; it never parses.
 */
export function forwardStream(
  stream: Readable | AsyncIterable<Uint8Array | string>,
  port: MessagePort,
): ForwardedStream {
  let inFlight = 0;
  let stopped = false;
  let wake: (() => void) | undefined;
  const stop = () => {
    if (stopped) {
      return;
    }
    stopped = true;
    wake?.();
    if (stream instanceof Readable && !stream.readableEnded) {
      stream.destroy();
    }
    port.close();
  };
  port.on('message', (message: ToCaller) => {
    if (message.type === 'credit') {
      inFlight--;
      wake?.();
    } else {
      stop();
    }
  });
  const credit = () =>
    new Promise<void>(resolve => {
      wake = () => {
        wake = undefined;
        resolve();
      };
    });
  const post = (message: ToWorker, transfer: Transferable[] = []) => {
    if (!stopped) {
      port.postMessage(message, transfer);
    }
  };
  (async () => {
    try {
      for await (const piece of stream) {
        if (stopped) {
          return;
        }
        const chunk =
          typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
        post(
          { type: 'chunk', chunk },
          ownsWholeBuffer(chunk) ? [chunk.buffer as ArrayBuffer] : [],
        );
        inFlight++;
        while (inFlight >= WINDOW && !stopped) {
          await credit();
        }
      }
      post({ type: 'end' });
    } catch (error) {
      post({ type: 'error', error: serializeError(error) });
    }
  })();
  return { stop };
}

/**
 * The worker's end of {@link forwardStream}: a Readable of the forwarded
 * chunks that grants a credit for each chunk once the consumer wants more
 * (backpressure). A stream error on the calling thread arrives as an Error
 * with the same name and message.
 */
export function portReadable(port: MessagePort): Readable {
  let owed = 0;
  let closed = false;
  const send = (message: ToCaller) => {
    if (!closed) {
      port.postMessage(message);
    }
  };
  const close = () => {
    if (!closed) {
      closed = true;
      port.close();
    }
  };
  const readable = new Readable({
    highWaterMark: 1 << 20,
    read() {
      for (; owed > 0; owed--) {
        send({ type: 'credit' });
      }
    },
    destroy(error, callback) {
      if (!readable.readableEnded) {
        send({ type: 'cancel' });
      }
      close();
      callback(error);
    },
  });
  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'chunk': {
        const { chunk } = message;
        const buffer = Buffer.from(
          chunk.buffer,
          chunk.byteOffset,
          chunk.byteLength,
        );
        if (readable.push(buffer)) {
          send({ type: 'credit' });
        } else {
          owed++;
        }
        return;
      }
      case 'end':
        readable.push(null);
        close();
        return;
      default: {
        const error = new Error(message.error.message);
        error.name = message.error.name;
        readable.destroy(error);
      }
    }
  });
  return readable;
}
