import { deserialize, serialize } from 'node:v8'
import type { MessagePort, Worker } from 'node:worker_threads'

/**
 * Posts `message` as a `v8.serialize` buffer whose memory is transferred, not copied: the same
 * serialisation structured clone does, done once, and its size known exactly for the stats.
 * Returns the number of bytes that crossed.
 */
export function sendMessage(target: MessagePort | Worker, message: unknown): number {
  const buffer = serialize(message)
  // Read before posting: a transferred buffer is detached, and its length reads 0 afterwards.
  const length = buffer.byteLength
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, length)
  // Only a buffer that owns its whole ArrayBuffer can be handed over without copying others' bytes.
  if (buffer.byteOffset === 0 && length === buffer.buffer.byteLength) target.postMessage(bytes, [buffer.buffer as ArrayBuffer])
  else target.postMessage(bytes)
  return length
}

export function receiveMessage<T>(data: Uint8Array): T {
  return deserialize(data) as T
}
