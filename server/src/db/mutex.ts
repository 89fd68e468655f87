// A promise queue: runs one task at a time, in call order. Used to serialize SQLite writers in
// process, because libsql waits for a busy database synchronously and would stall the event loop.
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
