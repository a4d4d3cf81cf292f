/**
 * translation-out's media side without Node-RED: translated speech at the rate a sound card wants
 * (streamed chunks equal one WAV), and the cost meter on response.done.
 */
import assert from 'node:assert/strict';
import { TranslationMessages, checkOutputRate, type Outgoing } from '../src/output/translation-messages';
import { sentEstimate } from '../src/client';
import { parseWavHeader, pcm16ToFloat, StreamingResampler, floatToPcm16 } from '../src/media/audio';
import { fitBudget, imageTokens } from '../src/media/image';
import type { ServerEvent } from '../src/protocol';
import { tone } from './support/sim-audio';

const R = 'resp_1', I = 'item_1';

/** 1 s of a 24 kHz tone in 7 uneven deltas, then audio.done and response.done, as the service sends them. */
function events(): ServerEvent[] {
  const pcm = tone(1, 440, -12, 24000);
  const cuts = [0, 4800, 5000, 17000, 24002, 30000, 41000, pcm.length];
  const out: ServerEvent[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    out.push({ type: 'response.audio.delta', response_id: R, item_id: I, output_index: 0, content_index: 0, delta: pcm.subarray(cuts[i], cuts[i + 1]).toString('base64') } as unknown as ServerEvent);
  }
  out.push({ type: 'response.audio.done', response_id: R, item_id: I, output_index: 0, content_index: 0 } as unknown as ServerEvent);
  out.push({ type: 'response.done', response: { id: R, status: 'completed', usage: { total_tokens: 40, input_tokens: 30, output_tokens: 10, input_tokens_details: { audio_tokens: 25, image_tokens: 5 } } } } as unknown as ServerEvent);
  return out;
}

function run(m: TranslationMessages): Outgoing[] {
  return events().flatMap((e) => m.handle(e));
}

describe('output: translated audio at any rate, and the cost meter', () => {
  it('PCM chunks at 48 kHz: every chunk says 48000/1/16, and together they equal the one-shot resampling', () => {
    const out = run(new TranslationMessages({ partials: false, audioFormat: 'pcm', outputRate: 48000 })).filter((o) => o.port === 2);
    assert.ok(out.length >= 7);
    for (const o of out) {
      assert.equal(o.msg.sampleRate, 48000);
      assert.equal(o.msg.channels, 1);
      assert.equal(o.msg.bitDepth, 16);
      assert.ok(Buffer.isBuffer(o.msg.payload) && (o.msg.payload as Buffer).length > 0);
      assert.equal(o.msg.responseId, R);
    }
    assert.equal(out[out.length - 1].msg.last, true, 'the resampler tail comes last, flagged');
    const streamed = Buffer.concat(out.map((o) => o.msg.payload as Buffer));
    const r = new StreamingResampler(24000, 48000);
    const x = pcm16ToFloat(tone(1, 440, -12, 24000));
    const a = r.process(x), b = r.flush();
    const whole = Buffer.concat([floatToPcm16(a), floatToPcm16(b)]);
    assert.equal(streamed.length, 48000 * 2, 'exactly 1 s at 48 kHz');
    assert.ok(streamed.equals(whole), 'chunked output equals one-shot output');
  });

  it('PCM chunks at the native 24 kHz are passed through untouched', () => {
    const out = run(new TranslationMessages({ partials: false, audioFormat: 'pcm' })).filter((o) => o.port === 2);
    assert.ok(Buffer.concat(out.map((o) => o.msg.payload as Buffer)).equals(tone(1, 440, -12, 24000)));
    assert.ok(out.every((o) => o.msg.sampleRate === 24000));
  });

  it('one WAV per utterance at 16 kHz, and a data URL for Dashboard 2 ui-audio', () => {
    const [wav] = run(new TranslationMessages({ partials: false, audioFormat: 'wav', outputRate: 16000 })).filter((o) => o.port === 2);
    const h = parseWavHeader(wav.msg.payload as Buffer);
    assert.equal(h.sampleRate, 16000);
    assert.equal(h.channels, 1);
    assert.equal(h.dataLength, 32000);
    assert.equal(wav.msg.sampleRate, 16000);
    assert.equal(wav.msg.duration, 1);
    const [url] = run(new TranslationMessages({ partials: false, audioFormat: 'dataurl' })).filter((o) => o.port === 2);
    assert.match(url.msg.payload as string, /^data:audio\/wav;base64,UklGR/);
    assert.equal(parseWavHeader(Buffer.from((url.msg.payload as string).split(',')[1], 'base64')).sampleRate, 24000);
  });

  it('refuses an unusable output rate', () => {
    assert.throws(() => checkOutputRate(100), RangeError);
    assert.throws(() => checkOutputRate('fast'), RangeError);
    assert.equal(checkOutputRate(undefined), 24000);
    assert.equal(checkOutputRate('48000'), 48000);
  });

  it('response.done carries usage, the running total, and the estimate of what was sent', () => {
    // Two images of 598 tokens each written by the client, 8 s of audio.
    const stats = { audioBytesSent: 32000 * 8, imagesSent: 2, imageTokensSent: 1196 };
    const m = new TranslationMessages({ partials: false, audioFormat: 'pcm', sent: () => sentEstimate(stats) });
    const done = run(m).filter((o) => o.port === 3 && o.msg.topic === 'response.done');
    assert.equal(done.length, 1);
    const p = done[0].msg.payload as { usage: { total_tokens: number }; total: { responses: number; input_image_tokens: number }; sent: Record<string, number> };
    assert.equal(p.usage.total_tokens, 40);
    assert.equal(p.total.responses, 1);
    assert.equal(p.total.input_image_tokens, 5);
    assert.deepEqual(p.sent, { audioSeconds: 8, audioTokens: 100, images: 2, imageTokens: 1196, tokens: 1296 });
    // Running: a second response adds up.
    const again = run(m).filter((o) => o.port === 3 && o.msg.topic === 'response.done')[0].msg.payload as { total: { responses: number; total_tokens: number } };
    assert.equal(again.total.responses, 2);
    assert.equal(again.total.total_tokens, 80);
  });

  it('an estimate that throws never costs the usage report', () => {
    const m = new TranslationMessages({ partials: false, audioFormat: 'pcm', sent: () => { throw new Error('boom'); } });
    const done = run(m).filter((o) => o.port === 3 && o.msg.topic === 'response.done');
    assert.equal(done.length, 1);
    assert.equal((done[0].msg.payload as { sent?: unknown }).sent, undefined);
  });
});

describe('media/image fitBudget (token budget)', () => {
  it('1080p: 1,345.5 tokens raw, 598 at the default 720p, ≤ the token cap with the aspect ratio kept', () => {
    assert.equal(imageTokens(1920, 1080), 1345.5);
    assert.equal(imageTokens(1280, 720), 598);
    for (const cap of [600, 300, 150, 40]) {
      const f = fitBudget(1920, 1080, { maxWidth: 1920, maxHeight: 1080, maxTokens: cap });
      assert.ok(imageTokens(f.width, f.height) <= cap, `${cap}: ${f.width}x${f.height}`);
      assert.ok(imageTokens(f.width, f.height) >= cap * 0.8, `${cap}: not shrunk more than needed`);
      assert.ok(Math.abs(f.width / f.height - 16 / 9) < 0.03);
    }
    assert.deepEqual(fitBudget(640, 360, { maxWidth: 1280, maxHeight: 720, maxTokens: 1000 }), { width: 640, height: 360 }, 'never upscales');
    assert.throws(() => fitBudget(640, 360, { maxWidth: 1280, maxHeight: 720, maxTokens: -1 }), RangeError);
  });
});
