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
    const parts: Array<{ heap: number; external: number }> = [];
    for (let run = 0; run < 4; run++) {
      const meter = new AllocationMeter();
      meter.start();
      // 2,000 frames of PCM, their base64 text and its bytes, over many event-loop turns.
      for (let i = 0; i < 2000; i++) {
        const b64 = Buffer.alloc(3200, i & 0xff).toString('base64');
        keep[i % 4] = Buffer.from(b64, 'latin1');
        if (i % 20 === 19) await tick();
      }
      const total = meter.stop();
      assert.equal(total, meter.lastParts.heap + meter.lastParts.external);
      parts.push(meter.lastParts);
    }
    const readings = parts.map((p) => `heap ${p.heap}, external ${p.external}`).join('; ');
    // Outside the heap, per frame: the PCM (3,200 bytes) and the base64 text's bytes (4,268). Nothing else
    // allocates there, so every run reads that to the byte, give or take a page.
    const external = 2000 * (3200 + 4268);
    for (const p of parts) assert.ok(p.external >= external && p.external <= external + 64 * 1024, readings);
    // In the heap: the base64 strings (4,268 bytes each) plus the loop's own small change, which varies with
    // how far V8 has optimised the loop (up to +40 % in the first runs of a busy process). The old meter read
    // from under half of the total to all of it, depending on the run.
    const strings = 2000 * 4268;
    for (const p of parts) assert.ok(p.heap >= strings && p.heap <= 2 * strings, readings);
  });
});
