/**
 * The flows the Node-RED benchmarks deploy, N kiosks each.
 * `ours`: livetranslate-session + audio-in + translation-out per kiosk.
 * `peer`: what a user builds without this package: a websocket-client (Authorization header),
 * a function node doing Buffer → base64 → JSON.stringify into `websocket out`, and `websocket in`
 * into a function node doing JSON.parse and routing by event type to four outputs.
 */
export const BENCH_KEY = 'bench-key';
export const SETTINGS = { sourceLanguage: 'en', targetLanguage: 'ja', output: 'text+audio', voice: 'Cherry', transcription: true };

const ENCODE = `if (msg.topic === 'session.update') {
  return { payload: JSON.stringify({ type: 'session.update', session: msg.payload }) };
}
return { payload: JSON.stringify({ type: 'input_audio_buffer.append', audio: msg.payload.toString('base64') }) };`;

const ROUTE = `const ev = JSON.parse(msg.payload);
switch (ev.type) {
  case 'response.audio_transcript.text':
  case 'response.text.text':
    return [{ topic: 'translation', payload: ev.text + (ev.stash || ''), partial: true, event: ev }, null, null, null];
  case 'response.audio_transcript.done':
    return [{ topic: 'translation', payload: ev.transcript, partial: false, event: ev }, null, null, null];
  case 'response.text.done':
    return [{ topic: 'translation', payload: ev.text, partial: false, event: ev }, null, null, null];
  case 'conversation.item.input_audio_transcription.text':
    return [null, { topic: 'transcript', payload: ev.text + (ev.stash || ''), partial: true, event: ev }, null, null];
  case 'conversation.item.input_audio_transcription.completed':
    return [null, { topic: 'transcript', payload: ev.transcript, partial: false, event: ev }, null, null];
  case 'response.audio.delta':
    return [null, null, { topic: 'audio', payload: Buffer.from(ev.delta, 'base64'), sampleRate: 24000 }, null];
  default:
    return [null, null, null, { topic: ev.type, payload: ev }];
}`;

export function ourFlow(url: string, n: number, o: { sampleRate: number; channels: number }): object[] {
  const flow: object[] = [];
  for (let i = 0; i < n; i++) {
    flow.push(
      { id: `sess${i}`, type: 'livetranslate-session', name: `kiosk ${i}`, endpoint: 'custom', url, model: 'qwen3-livetranslate-flash-realtime',
        ...SETTINGS, connectMode: 'deploy', idleTimeout: 60, allowInsecure: false },
      { id: `in${i}`, type: 'livetranslate-audio-in', session: `sess${i}`, sampleRate: o.sampleRate, channels: o.channels, bitDepth: 16,
        encoding: 'signed', pacing: 'auto', endSilence: 1, finishAtEnd: false, gate: 'off', wires: [] },
      { id: `out${i}`, type: 'livetranslate-translation-out', session: `sess${i}`, partials: true, audioFormat: 'pcm', wires: [[], [], [], []] },
    );
  }
  return flow;
}

export function peerFlow(url: string, n: number): object[] {
  const flow: object[] = [];
  const fn = (id: string, func: string, outputs: number, wires: string[][]) =>
    ({ id, type: 'function', name: id, func, outputs, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], wires });
  for (let i = 0; i < n; i++) {
    flow.push(
      { id: `wsc${i}`, type: 'websocket-client', path: `${url}?model=qwen3-livetranslate-flash-realtime`, tls: '', wholemsg: 'false', hb: '0', subprotocol: '',
        headers: [{ keyType: 'other', keyValue: 'Authorization', valueType: 'other', valueValue: `Bearer ${BENCH_KEY}` }] },
      fn(`enc${i}`, ENCODE, 1, [[`wout${i}`]]),
      { id: `wout${i}`, type: 'websocket out', name: '', server: '', client: `wsc${i}`, wires: [] },
      { id: `win${i}`, type: 'websocket in', name: '', server: '', client: `wsc${i}`, wires: [[`route${i}`]] },
      fn(`route${i}`, ROUTE, 4, [[], [], [], []]),
    );
  }
  return flow;
}

