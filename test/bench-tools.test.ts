/** The bench's own instruments: the probe that recognises append frames, the allocation meter. */
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { isAppendFrame } from '../bench/probe';
import { AllocationMeter } from '../bench/stats';
import { audioAppendFrame } from '../src/client/append-frames';

describe('bench instruments', () => {
  it('the probe recognises audio append frames sent as a Buffer (ours) or a string (core nodes), and nothing else', () => {
    const pcm = Buffer.alloc(3200, 1);
    const frame = audioAppendFrame(pcm);
    assert.equal(isAppendFrame(frame), true);
    assert.equal(isAppendFrame(Buffer.from(frame, 'latin1')), true);
    assert.equal(isAppendFrame(JSON.stringify({ type: 'input_audio_buffer.append', audio: pcm.toString('base64') })), true);
    assert.equal(isAppendFrame(Buffer.from('{"type":"session.update","session":{}}')), false);
    assert.equal(isAppendFrame('{"type":"input_image_buffer.append","image":""}'), false);
    assert.equal(isAppendFrame(Buffer.alloc(4)), false);
  });

  it('the allocation meter reads what was allocated, the same in every run (Buffers and strings, across ticks)', async () => {
    const keep: unknown[] = [];
    const readings: number[] = [];
    for (let run = 0; run < 4; run++) {
      const meter = new AllocationMeter();
      meter.start();
      // 2,000 frames of PCM, their base64 text and its bytes, over many event-loop turns.
      for (let i = 0; i < 2000; i++) {
        const b64 = Buffer.alloc(3200, i & 0xff).toString('base64');
        keep[i % 4] = Buffer.from(b64, 'latin1');
        if (i % 20 === 19) await tick();
      }
      readings.push(meter.stop());
    }
    // Per frame: the PCM (3,200 bytes), its base64 string (4,268) and that string's bytes (4,268), plus small change.
    // (The old meter read from under half of this to the full amount, depending on the run.)
    const expected = 2000 * (3200 + 4268 + 4268);
    for (const r of readings) assert.ok(r >= 0.9 * expected && r <= 1.3 * expected, `read ${r} bytes; expected about ${expected}`);
    assert.ok(Math.max(...readings) / Math.min(...readings) < 1.15, `readings ${readings.join(', ')}`);
  });
});
