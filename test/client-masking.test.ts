/**
 * How the client masks its frames: with the key 0 (which ws does not apply) inside TLS and on loopback,
 * with random keys over plain ws:// to another host. Read from the raw bytes a real socket carries.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { masksFrames, newSocket } from '../src/client/socket-open';

/** A bare TCP server that accepts one WebSocket upgrade and hands over the bytes that follow it. */
async function rawUpgradeServer(): Promise<{ url: string; firstFrame: Promise<Buffer>; close(): Promise<void> }> {
  let socket: Socket | undefined;
  let resolveFrame: (b: Buffer) => void = () => undefined;
  const firstFrame = new Promise<Buffer>((ok) => { resolveFrame = ok; });
  const server = createServer((s) => {
    socket = s;
    let buf = Buffer.alloc(0);
    let upgraded = false;
    s.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const key = /sec-websocket-key:\s*(\S+)/i.exec(buf.subarray(0, end).toString('latin1'))![1];
        const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
        s.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
        upgraded = true;
        buf = buf.subarray(end + 4);
      }
      if (buf.length >= 2) {
        const len = buf[1] & 0x7f;
        const header = len === 126 ? 8 : 6;
        const total = header + (len === 126 ? buf.readUInt16BE(2) : len);
        if (buf.length >= total) resolveFrame(buf.subarray(0, total));
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/realtime`,
    firstFrame,
    close: () => new Promise<void>((ok) => { socket?.destroy(); server.close(() => ok()); }),
  };
}

describe('client frame masking', function () {
  it('masks with the key 0 on loopback: the mask bit is set and the payload travels as it is', async function () {
    const server = await rawUpgradeServer();
    const ws = newSocket(server.url, { apiKey: 'sk-test', endpoint: server.url, model: 'm', config: {} } as never);
    try {
      await new Promise<void>((ok, fail) => { ws.once('open', () => ok()); ws.once('error', fail); });
      const text = '{"type":"input_audio_buffer.append","audio":"' + Buffer.alloc(300, 7).toString('base64') + '"}';
      ws.send(text);
      const frame = await server.firstFrame;
      assert.equal(frame[0], 0x81, 'a final text frame');
      assert.equal(frame[1] & 0x80, 0x80, 'the mask bit is set, as RFC 6455 requires of a client');
      assert.equal(frame[1] & 0x7f, 126);
      assert.deepEqual([...frame.subarray(4, 8)], [0, 0, 0, 0], 'the key is 0');
      assert.equal(frame.subarray(8).toString('latin1'), text);
    } finally {
      ws.terminate();
      await server.close();
    }
  });

  it('keeps random keys only over plain ws:// to another host', function () {
    assert.equal(masksFrames('wss://dashscope.aliyuncs.com/api-ws/v1/realtime?model=m'), false);
    assert.equal(masksFrames('wss://192.168.1.20:8443/realtime'), false);
    assert.equal(masksFrames('ws://127.0.0.1:9000/realtime'), false);
    assert.equal(masksFrames('ws://localhost:9000/realtime'), false);
    assert.equal(masksFrames('ws://[::1]:9000/realtime'), false);
    assert.equal(masksFrames('ws://192.168.1.20:9000/realtime'), true);
    assert.equal(masksFrames('ws://127.attacker.example/realtime'), true);
  });
});
