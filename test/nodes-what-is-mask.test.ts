/**
 * The visual-context demo through the real nodes: the what-is-mask example's image in, audio in
 * and translation out (as shipped, the default image budget included) against the simulator with
 * the example's script. The same spoken question gets the meaning of the picture shown before it,
 * though image in shrinks and re-encodes the picture before it reaches the "service".
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Simulator, loadScripts } from '../src/simulator';
import { SceneBook } from '../src/simulator/scenes';
import { helper, loadFlow, capture, waitFor } from './support/red';

const EXAMPLES = join(__dirname, '..', 'examples');
const MEDIA = EXAMPLES;
const MEDICAL = readFileSync(join(MEDIA, 'medical-mask.png'));
const MASQUERADE = readFileSync(join(MEDIA, 'masquerade-mask.png'));
const QUESTION = readFileSync(join(MEDIA, 'what-is-mask.wav'));

/** The example's own nodes of this package, pointed at the test's simulator. */
function exampleNodes(url: string): Array<Record<string, unknown>> {
  const flow = JSON.parse(readFileSync(join(EXAMPLES, 'what-is-mask.json'), 'utf8')) as Array<Record<string, unknown>>;
  // (The config node first, as Node-RED's test helper wants it.)
  const ours = flow.filter((n) => String(n.type).startsWith('livetranslate-'));
  ours.sort((a, b) => Number(b.type === 'livetranslate-session') - Number(a.type === 'livetranslate-session'));
  return ours.map((n) => {
    // Without its tab (and so without a place on it): the test helper runs the nodes on their own.
    const { z: _tab, x: _x, y: _y, ...copy } = n;
    if (n.type === 'livetranslate-session') copy.url = url;
    if (Array.isArray(n.wires)) copy.wires = (n.wires as unknown[]).map(() => []);
    return copy;
  });
}

describe('the what-is-mask example: the picture decides the meaning', function () {
  let sim: Simulator;

  afterEach(async function () {
    await helper.unload();
    await sim.stop();
  });

  it('recognises each picture after resizing and JPEG re-encoding, and no other picture', async function () {
    const book = await SceneBook.load({ medical: MEDICAL, masquerade: MASQUERADE }, () => undefined);
    const sharp = (await import('sharp')).default;
    const small = (png: Buffer) => sharp(png).resize(320, 240).jpeg({ quality: 60 }).toBuffer();
    assert.equal(await book.recognise(await small(MEDICAL)), 'medical');
    assert.equal(await book.recognise(await small(MASQUERADE)), 'masquerade');
    const grey = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 128, g: 128, b: 128 } } }).jpeg().toBuffer();
    assert.equal(await book.recognise(grey), undefined);
    sim = new Simulator();
  });

  it('"What is mask?" is a medical mask after the medical picture and a masquerade mask after the other, through the real nodes', async function () {
    this.timeout(40000);
    const { script, scenes } = loadScripts([join(EXAMPLES, 'announcement.script'), join(MEDIA, 'what-is-mask.script')]);
    sim = new Simulator({ realtime: false, script, scenes });
    const url = await sim.start();
    const nodes = exampleNodes(url);
    const id = (type: string) => String(nodes.find((n) => n.type === type)!.id);
    await loadFlow(nodes, { [id('livetranslate-session')]: { apiKey: 'sk-test-123456' } });
    const got = capture(helper.getNode(id('livetranslate-translation-out')));
    await waitFor(() => sim.sessions.length > 0 && sim.sessions[0].config.translation?.language === 'ja', 5000, 'session.updated');
    const finals = () => got.filter((c) => c.port === 0 && c.msg.partial === false).map((c) => c.msg.payload);
    const rec = () => sim.sessions[0];

    // First the picture (held by image in until the session's first audio), then the question.
    helper.getNode(id('livetranslate-image-in')).receive({ payload: MEDICAL });
    helper.getNode(id('livetranslate-audio-in')).receive({ payload: QUESTION });
    await waitFor(() => finals().length >= 1, 15000, 'the first answer');
    assert.deepEqual(finals(), ['医療用マスクとは何ですか?']);

    // The other picture, once the "service" has it, then the same question again.
    helper.getNode(id('livetranslate-image-in')).receive({ payload: MASQUERADE });
    await waitFor(() => rec().imagesReceived >= 2, 10000, 'the second picture');
    helper.getNode(id('livetranslate-audio-in')).receive({ payload: QUESTION });
    await waitFor(() => finals().length >= 2, 15000, 'the second answer');
    assert.deepEqual(finals(), ['医療用マスクとは何ですか?', '仮面舞踏会のマスクとは何ですか?']);

    // Neither picture was refused, and each utterance took its scene's entry.
    assert.equal(rec().imagesRejected, 0);
    assert.equal(rec().utterances.length, 2);
    assert.deepEqual(rec().utterances.map((u) => u.reply.scene), ['medical-mask', 'masquerade-mask']);
    const sources = got.filter((c) => c.port === 1 && c.msg.partial === false).map((c) => c.msg.payload);
    assert.deepEqual(sources, ['What is mask?', 'What is mask?']);
  });
});
