import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScript, parseScript } from '../src/simulator';
import { parseCliArgs } from '../src/simulator/cli-args';
import { jpegSize } from '../src/simulator/images';
import { synthesizeSpeech } from '../src/simulator/speech-synth';
import { cumulativePartials, estimateTextTokens, speakingTimeMs, textUnits } from '../src/simulator/text';
import { computeUsage, imageTokens } from '../src/simulator/usage';
import { EnergyVad } from '../src/simulator/vad';
import { connectSim } from './support/sim-client';
import { tone } from './support/sim-audio';

const quiet = (s: number) => Buffer.alloc(Math.round(s * 16000) * 2);

function runVad(pcm: Buffer, pieces = 3200, silenceMs = 800) {
  const events: string[] = [];
  const vad = new EnergyVad({ silenceMs, thresholdDb: -45 }, {
    onStart: (s) => events.push(`start ${s}`),
    onEnd: (s, e) => events.push(`end ${s}-${e}`),
  });
  for (let off = 0; off < pcm.length; off += pieces) vad.push(pcm.subarray(off, off + pieces));
  return { events, vad };
}

describe('simulator units', function () {
  describe('EnergyVad', function () {
    it('finds a 400 ms tone and ends it after 800 ms of silence', function () {
      const { events } = runVad(Buffer.concat([quiet(0.5), tone(0.4), quiet(1)]));
      assert.deepEqual(events, ['start 500', 'end 500-1700']);
    });

    it('ignores blips shorter than 150 ms and tones below the threshold', function () {
      assert.deepEqual(runVad(Buffer.concat([tone(0.1), quiet(1), tone(0.08), quiet(1)])).events, []);
      assert.deepEqual(runVad(Buffer.concat([tone(1, 440, -60), quiet(1)])).events, []);
    });

    it('does not end an utterance on pauses shorter than silenceMs', function () {
      const { events } = runVad(Buffer.concat([tone(0.3), quiet(0.5), tone(0.3), quiet(1)]));
      assert.deepEqual(events, ['start 0', 'end 0-1900']);
    });

    it('gives the same result whatever the chunking', function () {
      const pcm = Buffer.concat([quiet(0.23), tone(0.61), quiet(0.9), tone(0.2), quiet(0.9)]);
      const whole = runVad(pcm, pcm.length).events;
      assert.deepEqual(runVad(pcm, 38).events, whole);
      assert.deepEqual(runVad(pcm, 1024).events, whole);
      assert.equal(whole.length, 4);
    });

    it('flush() ends confirmed speech now and drops an unconfirmed blip', function () {
      const { events, vad } = runVad(tone(0.5));
      assert.deepEqual(events, ['start 0']);
      vad.flush();
      assert.deepEqual(events, ['start 0', 'end 0-500']);
      const blip = runVad(tone(0.06));
      blip.vad.flush();
      assert.deepEqual(blip.events, []);
    });

    it('cuts an endless utterance at 30 s', function () {
      const { events } = runVad(tone(31));
      assert.deepEqual(events.slice(0, 2), ['start 0', 'end 0-30000']);
    });
  });

  describe('text', function () {
    it('splits latin text into words and CJK into characters, losslessly', function () {
      assert.deepEqual(textUnits('Hello, big world. '), ['Hello,', ' big', ' world.']);
      assert.deepEqual(textUnits('早上好，各位。'), ['早', '上', '好', '，', '各', '位', '。']);
      assert.equal(textUnits('ok 你好 yes').join(''), 'ok 你好 yes');
      assert.deepEqual(textUnits('   '), []);
    });

    it('builds cumulative partials with a tentative stash', function () {
      assert.deepEqual(cumulativePartials('a b c'), [
        { text: 'a', stash: ' b' }, { text: 'a b', stash: ' c' }, { text: 'a b c', stash: '' },
      ]);
      assert.deepEqual(cumulativePartials('a b c', 2, true)[0], { text: '', stash: 'a b' });
      assert.deepEqual(cumulativePartials(''), []);
    });

    it('times and counts text: 70 ms per latin char, 200 ms per CJK char', function () {
      assert.equal(speakingTimeMs('Hi you'), 420);
      assert.equal(speakingTimeMs('你好'), 400);
      assert.equal(estimateTextTokens('abcd efgh i'), 3);
      assert.equal(estimateTextTokens('你好吗'), 3);
    });
  });

  describe('synthetic speech', function () {
    it('lasts as long as the text takes, deterministically, with pauses', function () {
      const a = synthesizeSpeech('Bonjour tout le monde.');
      assert.equal(a.length / 2, Math.round(speakingTimeMs('Bonjour tout le monde.') * 24));
      assert.ok(a.equals(synthesizeSpeech('Bonjour tout le monde.')));
      assert.equal(synthesizeSpeech('你好').length / 2, 400 * 24);
      // The space between "Bonjour" and "tout" (at 490–560 ms) is silent.
      const gap = a.subarray(500 * 48, 550 * 48);
      assert.ok(gap.every((b) => b === 0));
      assert.ok(a.subarray(100 * 48, 300 * 48).some((b) => b !== 0));
    });

    it('speaks lower for male voices', function () {
      const crossings = (pcm: Buffer) => {
        let n = 0;
        for (let i = 1; i < pcm.length / 2; i++) if ((pcm.readInt16LE(i * 2 - 2) < 0) !== (pcm.readInt16LE(i * 2) < 0)) n++;
        return n;
      };
      assert.ok(crossings(synthesizeSpeech('aaaaaaaa', 'Nofish')) < crossings(synthesizeSpeech('aaaaaaaa', 'Cherry')));
    });
  });

  describe('usage', function () {
    it('follows the billing rules', function () {
      assert.equal(imageTokens(28, 28), 1);
      assert.equal(imageTokens(1920, 1080), Math.ceil(69 * 39 * 0.5));
      const u = computeUsage({ inputAudioSeconds: 2, imageTokens: 10, translation: 'abcdefgh', transcript: 'abcd', outputAudioSeconds: 1.05 });
      assert.deepEqual(u, {
        total_tokens: 20 + 25 + 10 + 3 + 14,
        input_tokens: 55,
        output_tokens: 17,
        input_tokens_details: { text_tokens: 20, audio_tokens: 25, image_tokens: 10 },
        output_tokens_details: { text_tokens: 3, audio_tokens: 14 },
      });
    });
  });

  describe('jpegSize', function () {
    it('reads the frame header after other segments, and refuses truncated data', function () {
      const app = [0xff, 0xe1, 0x00, 0x06, 1, 2, 3, 4];
      const sof = [0xff, 0xc2, 0x00, 0x11, 0x08, 0x01, 0xe0, 0x02, 0x80];
      assert.deepEqual(jpegSize(Buffer.from([0xff, 0xd8, ...app, ...sof, 3, 0, 0, 0, 0, 0, 0, 0, 0])), { width: 640, height: 480 });
      assert.equal(jpegSize(Buffer.from([0xff, 0xd8, ...app])), undefined);
      assert.equal(jpegSize(Buffer.from([0x89, 0x50, 0x4e, 0x47])), undefined);
    });
  });

  describe('scripts', function () {
    it('reads an array or {utterances}, and names the bad entry', function () {
      const r = [{ transcript: 'a', translation: 'b' }, { transcript: 'c', translation: 'd', language: 'zh' }];
      assert.deepEqual(parseScript(JSON.stringify(r)), r);
      assert.deepEqual(parseScript(JSON.stringify({ utterances: r })), r);
      assert.throws(() => parseScript('[{"transcript": "a"}]', 'x.json'), /x.json: entry 0 .*translation/);
      assert.throws(() => parseScript('{"x": 1}'), /expected an array/);
      assert.throws(() => parseScript('nope'), /not valid JSON/);
      const dir = mkdtempSync(join(tmpdir(), 'sim-script-'));
      writeFileSync(join(dir, 's.json'), JSON.stringify(r));
      assert.deepEqual(loadScript(join(dir, 's.json')), r);
    });
  });

  describe('CLI', function () {
    it('parses its options', function () {
      assert.deepEqual(parseCliArgs(['--port=0', '--host', '::1', '--key', 'k', '--script', 'a.json', '--fast', '--silence', '600']), {
        port: 0, host: '::1', key: 'k', scripts: ['a.json'], fast: true, variants: {}, silenceMs: 600, idleTimeoutS: 300, quiet: false, help: false,
      });
      assert.deepEqual(parseCliArgs(['--script', 'a', '--script=b', '--partials', 'delta', '--no-stash', '--empty-final', '--repeat-done',
        '--translation-first', '--transcription-fails', '--after-speech', '--update-every', '1000']), {
        port: 8765, host: '127.0.0.1', scripts: ['a', 'b'], fast: false, idleTimeoutS: 300, quiet: false, help: false,
        variants: { partials: 'delta', stash: false, emptyFinal: true, repeatDone: true, translationFirst: true, transcriptionFails: true, pace: 'after-speech', updateEveryMs: 1000 },
      });
      assert.throws(() => parseCliArgs(['--partials', 'words']), /partials must be one of/);
      assert.equal(parseCliArgs([], { LIVETRANSLATE_SIM_KEY: 'env' }).key, 'env');
      assert.equal(parseCliArgs([]).port, 8765);
      assert.equal(parseCliArgs(['--idle-timeout', '0']).idleTimeoutS, 0);
      assert.throws(() => parseCliArgs(['--bogus']), /unknown option/);
      assert.throws(() => parseCliArgs(['--port', 'x']), /number/);
      assert.throws(() => parseCliArgs(['--key']), /needs a value/);
    });

    it('prints where it listens, serves sessions, and stops cleanly on SIGTERM', async function () {
      this.timeout(20000);
      const child = spawn(process.execPath, ['-r', require.resolve('tsx/cjs'), join(__dirname, '..', 'src', 'simulator', 'cli.ts'),
        '--port', '0', '--fast', '--key', 'sk-cli-secret'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => { out += d; });
      child.stderr.on('data', (d) => { out += d; });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        const url = await new Promise<string>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 15000);
          child.stdout.on('data', () => {
            const m = /Simulator listening on (ws:\/\/127\.0\.0\.1:\d+\/api-ws\/v1\/realtime)/.exec(out);
            if (m) { clearTimeout(t); resolve(m[1]); }
          });
        });
        assert.match(out, /simulated/i);
        const c = await connectSim(url, 'sk-cli-secret');
        assert.equal((await c.waitFor('session.created')).session.object, 'realtime.session');
        await c.close();
      } finally {
        child.kill('SIGTERM');
      }
      assert.equal(await exited, 0);
      assert.ok(!out.includes('sk-cli-secret'), 'the key is never printed');
    });
  });
});
