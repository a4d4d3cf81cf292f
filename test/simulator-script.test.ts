/**
 * Reply scripts: the loop (a replayed recording gets its real lines again), scene entries, script
 * files, and where the examples' script lives.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Simulator, loadScripts, parseScriptFile, type ScriptedReply } from '../src/simulator';
import { ReplyPicker } from '../src/simulator/script';
import { speechBuffer } from './support/fixtures';
import { connectSim, silence, streamPcm } from './support/sim-client';

const EXAMPLES = join(__dirname, '..', 'examples');

function jsonFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? jsonFilesUnder(p) : name.endsWith('.json') ? [p] : [];
  });
}

describe('simulator scripts', function () {
  it('picks entries in a loop, the scene\'s own entries first', function () {
    const a: ScriptedReply = { transcript: 'a', translation: 'A' };
    const b: ScriptedReply = { transcript: 'b', translation: 'B' };
    const m1: ScriptedReply = { transcript: 'm', translation: 'medical', scene: 'medical' };
    const m2: ScriptedReply = { transcript: 'm', translation: 'masquerade', scene: 'masquerade' };
    const picker = new ReplyPicker([a, m1, b, m2]);
    assert.deepEqual([undefined, undefined, undefined, undefined, undefined].map(() => picker.pick(undefined)?.translation), ['A', 'B', 'A', 'B', 'A']);
    assert.equal(picker.pick('medical')?.translation, 'medical');
    assert.equal(picker.pick('masquerade')?.translation, 'masquerade');
    assert.equal(picker.pick('medical')?.translation, 'medical');
    assert.equal(picker.pick('unknown scene')?.translation, 'B', 'a scene without entries falls back to the general ones');
    assert.equal(new ReplyPicker([m1]).pick(undefined), undefined);
    assert.equal(new ReplyPicker([]).pick('medical'), undefined);
  });

  it('a recording played again in the same session gets its real lines again, not placeholders', async function () {
    const script: ScriptedReply[] = [
      { transcript: 'Good morning everyone.', translation: 'おはようございます。' },
      { transcript: 'The meeting starts soon.', translation: '会議はまもなく始まります。' },
    ];
    const sim = new Simulator({ realtime: false, script });
    const client = await connectSim(await sim.start());
    try {
      const recording = Buffer.concat(script.map((s) => speechBuffer(s.transcript, { rate: 16000, type: 'raw', padEnd: 1.2 })));
      streamPcm(client, Buffer.concat([recording, silence(1), recording, silence(1)]));
      await client.waitFor('response.done', 4);
      const finals = client.events.filter((e) => e.type === 'response.audio_transcript.done').map((e) => e.transcript);
      assert.deepEqual(finals, [...script, ...script].map((s) => s.translation));
    } finally {
      client.ws.terminate();
      await sim.stop();
    }
  });

  it('reads scenes from a script file, relative to its folder, and joins several files', function () {
    const f = parseScriptFile(JSON.stringify({ scenes: { medical: 'img/medical.png' }, utterances: [{ transcript: 't', translation: 'x', scene: 'medical' }] }), 'mask.script', '/opt/ex');
    assert.deepEqual(f.scenes, { medical: '/opt/ex/img/medical.png' });
    assert.equal(f.utterances[0].scene, 'medical');
    assert.throws(() => parseScriptFile('{"scenes": {"a": 1}, "utterances": []}'), /"scenes" must map scene names to image files/);
    assert.throws(() => parseScriptFile('[{"transcript": "t", "translation": "x", "scene": 3}]'), /"scene" must be a string/);
    const joined = loadScripts([join(EXAMPLES, 'announcement.script'), join(EXAMPLES, 'announcement.script')]);
    assert.equal(joined.script.length, 4);
  });

  it('the examples hold no .json file that is not a flow (Import → Examples lists every one)', function () {
    const files = jsonFilesUnder(EXAMPLES);
    assert.ok(files.length >= 5);
    for (const f of files) {
      const flow = JSON.parse(readFileSync(f, 'utf8'));
      assert.ok(Array.isArray(flow) && flow.every((n) => n && typeof n.id === 'string' && typeof n.type === 'string'), `${f} is not a flow`);
    }
  });
});
