import assert from 'node:assert/strict';
import {
  LANGUAGES, VOICES, validateSessionConfig, validateOptions, toWireConfig, DEFAULT_OPTIONS, defaultSessionConfig,
  mergeSessionConfig, voicesFor, endpointUrl, parseServerFrame, isLoopbackHost, makeId,
} from '../src/protocol';

describe('protocol catalogue and validation', function () {
  it('has the 18 languages, 11 with speech, and the 8 voices', function () {
    assert.equal(LANGUAGES.length, 18);
    assert.deepEqual(LANGUAGES.filter((l) => l.speech).map((l) => l.code).sort(), ['de', 'en', 'es', 'fr', 'it', 'ja', 'ko', 'pt', 'ru', 'yue', 'zh']);
    assert.deepEqual(VOICES.map((v) => v.name), ['Cherry', 'Nofish', 'Jada', 'Dylan', 'Sunny', 'Peter', 'Kiki', 'Eric']);
    assert.deepEqual(voicesFor('yue').map((v) => v.name), ['Kiki']);
    assert.deepEqual(voicesFor('ar'), []);
  });

  it('accepts every speech target with a voice that speaks it, and every text-only target as text', function () {
    for (const l of LANGUAGES) {
      if (l.speech) {
        for (const v of voicesFor(l.code)) assert.deepEqual(validateOptions({ ...DEFAULT_OPTIONS, targetLanguage: l.code, voice: v.name }), []);
      } else {
        assert.deepEqual(validateOptions({ ...DEFAULT_OPTIONS, targetLanguage: l.code, output: 'text' }), []);
        const p = validateOptions({ ...DEFAULT_OPTIONS, targetLanguage: l.code, output: 'text+audio' });
        assert.equal(p.length, 1);
        assert.equal(p[0].option, 'output');
      }
    }
  });

  it('names each rule it breaks with the service error shape', function () {
    const p = validateSessionConfig({ modalities: ['audio'] });
    assert.deepEqual(p[0], { param: 'session.modalities', code: 'invalid_value', message: "Invalid modalities: ['audio']. Supported combinations are: ['text'] and ['audio', 'text']." });
    assert.equal(validateOptions({ ...DEFAULT_OPTIONS, voice: 'Kiki', targetLanguage: 'ja' })[0].option, 'voice');
    assert.equal(validateOptions({ ...DEFAULT_OPTIONS, sourceLanguage: 'xx' })[0].option, 'sourceLanguage');
    assert.equal(validateSessionConfig({ input_audio_format: 'mp3' })[0].param, 'session.input_audio_format');
    assert.equal(validateSessionConfig({ input_audio_transcription: { model: 'whisper' } })[0].param, 'session.input_audio_transcription.model');
  });

  it('checks an update against the configuration it changes', function () {
    const current = mergeSessionConfig(defaultSessionConfig(), { translation: { language: 'zh' }, voice: 'Dylan' });
    assert.deepEqual(validateSessionConfig({ voice: 'Jada' }, current), []);
    assert.equal(validateSessionConfig({ translation: { language: 'en' } }, current)[0].param, 'session.voice');
  });

  it('maps options to session.update with the transcription switch', function () {
    const on = toWireConfig({ ...DEFAULT_OPTIONS, sourceLanguage: 'de', transcription: true });
    assert.deepEqual(on.input_audio_transcription, { language: 'de', model: 'qwen3-asr-flash-realtime' });
    const off = toWireConfig({ ...DEFAULT_OPTIONS, output: 'text', transcription: false });
    assert.deepEqual(off.input_audio_transcription, { language: 'en' });
    assert.deepEqual(off.modalities, ['text']);
  });

  it('builds endpoint URLs and recognises loopback hosts', function () {
    assert.equal(endpointUrl('intl'), 'wss://dashscope-intl.aliyuncs.com/api-ws/v1/realtime?model=qwen3-livetranslate-flash-realtime');
    assert.equal(endpointUrl('cn', 'qwen3-livetranslate-flash-realtime-2025-09-22'), 'wss://dashscope.aliyuncs.com/api-ws/v1/realtime?model=qwen3-livetranslate-flash-realtime-2025-09-22');
    assert.equal(endpointUrl('ws://127.0.0.1:9/x?model=m'), 'ws://127.0.0.1:9/x?model=m');
    assert.throws(() => endpointUrl('http://example.com'), /ws:\/\/ or wss:\/\//);
    assert.ok(isLoopbackHost('127.0.0.1') && isLoopbackHost('[::1]') && isLoopbackHost('localhost'));
    assert.ok(!isLoopbackHost('192.168.1.2'));
  });

  it('parses server frames without ever throwing', function () {
    assert.equal(parseServerFrame('{nope').kind, 'invalid');
    assert.equal(parseServerFrame('[1]').kind, 'invalid');
    assert.equal(parseServerFrame('{"a":1}').kind, 'invalid');
    assert.equal(parseServerFrame('{"type":"future.event"}').kind, 'unknown');
    const ok = parseServerFrame('{"type":"session.finished","event_id":"e"}');
    assert.equal(ok.kind, 'event');
    assert.match(makeId('resp'), /^resp_[A-Za-z0-9]{21}$/);
  });
});
