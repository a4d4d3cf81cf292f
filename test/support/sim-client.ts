/**
 * A minimal test client for the simulator: a real `ws` socket that records every server event and
 * lets a test wait for the ones it expects.
 */
import WebSocket from 'ws';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Ev = Record<string, any> & { type: string };

export interface SimClient {
  ws: WebSocket;
  events: Ev[];
  types(): string[];
  send(obj: unknown): void;
  /** Resolves with the `count`-th event of this type (1-based), waiting up to `timeoutMs`. */
  waitFor(type: string, count?: number, timeoutMs?: number): Promise<Ev>;
  /** Resolves when the socket is closed (by either side). */
  closed(): Promise<number>;
  close(): Promise<void>;
}

export function connectSim(url: string, key: string | null = 'sk-test', model = 'qwen3-livetranslate-flash-realtime'): Promise<SimClient> {
  const headers: Record<string, string> = key === null ? {} : { Authorization: `Bearer ${key}` };
  const ws = new WebSocket(`${url}?model=${encodeURIComponent(model)}`, { headers });
  const events: Ev[] = [];
  const listeners = new Set<() => void>();
  let closeCode: number | null = null;
  ws.on('message', (data) => {
    // A malformed frame (fault injection) is kept, not thrown, so a test can look at it.
    try {
      events.push(JSON.parse(data.toString()) as Ev);
    } catch {
      events.push({ type: '(unparseable)', raw: data.toString() });
    }
    for (const l of [...listeners]) l();
  });
  ws.on('close', (code) => {
    closeCode = code;
    for (const l of [...listeners]) l();
  });
  const client: SimClient = {
    ws,
    events,
    types: () => events.map((e) => e.type),
    send: (obj) => ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj)),
    waitFor(type, count = 1, timeoutMs = 10000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.filter((e) => e.type === type);
          if (found.length >= count) {
            done();
            resolve(found[count - 1]);
          } else if (closeCode !== null) {
            done();
            reject(new Error(`socket closed (${closeCode}) before ${type} #${count}; got ${client.types().join(', ')}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timeout waiting for ${type} #${count}; got ${client.types().join(', ')}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    closed() {
      return new Promise((resolve) => {
        if (closeCode !== null) return resolve(closeCode);
        ws.once('close', (code) => resolve(code));
      });
    },
    async close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      const c = client.closed();
      ws.close();
      await c;
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('error', reject);
  });
}

/** The status and body of a refused upgrade. */
export function refusedUpgrade(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.terminate();
      reject(new Error('upgrade unexpectedly accepted'));
    });
    ws.on('error', () => undefined);
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => {
        resolve({ status: res.statusCode || 0, body });
        ws.terminate();
      });
    });
  });
}

/** Streams PCM16 as input_audio_buffer.append events of `chunkBytes` each (100 ms at 16 kHz by default). */
export function streamPcm(client: SimClient, pcm: Buffer, chunkBytes = 3200): void {
  for (let off = 0; off < pcm.length; off += chunkBytes) {
    client.send({ type: 'input_audio_buffer.append', audio: pcm.subarray(off, off + chunkBytes).toString('base64') });
  }
}

/** `seconds` of digital silence, 16 kHz PCM16. */
export function silence(seconds: number): Buffer {
  return Buffer.alloc(Math.round(seconds * 16000) * 2);
}

/** Lets in-flight frames arrive (the server answers on the next turns of the event loop). */
export function settle(ms = 150): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
