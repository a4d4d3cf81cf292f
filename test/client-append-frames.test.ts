import assert from 'node:assert/strict';
import { audioAppendFrame, imageAppendFrame } from '../src/client/append-frames';
import { parseClientFrame } from '../src/protocol';

describe('append frames', function () {
  it('build the same bytes JSON.stringify would, for audio of any length', function () {
    for (const n of [0, 1, 2, 3, 3200, 32001]) {
      const pcm = Buffer.alloc(n);
      for (let i = 0; i < n; i++) pcm[i] = (i * 37 + 11) & 0xff;
      const frame = audioAppendFrame(pcm);
      assert.equal(frame, JSON.stringify({ type: 'input_audio_buffer.append', audio: pcm.toString('base64') }));
      const parsed = parseClientFrame(frame);
      assert.equal(parsed.kind, 'event');
      assert.deepEqual(Buffer.from((parsed as { event: { audio: string } }).event.audio, 'base64'), pcm);
    }
  });

  it('build the image append', function () {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    assert.equal(imageAppendFrame(jpeg), JSON.stringify({ type: 'input_image_buffer.append', image: jpeg.toString('base64') }));
  });
});
