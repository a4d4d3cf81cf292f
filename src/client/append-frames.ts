/**
 * The append events as the bytes that go on the wire. Templates, not JSON.stringify: base64 needs
 * no escaping, and a second of audio is a 43 KB string that need not be scanned again.
 */

/** The start of every audio append frame, as bytes. */
const AUDIO_HEAD = Buffer.from('{"type":"input_audio_buffer.append","audio":"', 'latin1');
const TAIL = Buffer.from('"}', 'latin1');

/**
 * `{"type":"input_audio_buffer.append","audio":"<base64>"}` built as one Buffer (sent as a text
 * frame), so ws neither scans nor re-encodes a string: the same bytes on the wire, one copy fewer.
 */
export function audioAppendFrame(pcm16: Buffer): Buffer {
  const b64 = pcm16.toString('base64');
  const frame = Buffer.allocUnsafe(AUDIO_HEAD.length + b64.length + TAIL.length);
  AUDIO_HEAD.copy(frame, 0);
  frame.write(b64, AUDIO_HEAD.length, 'latin1');
  TAIL.copy(frame, frame.length - TAIL.length);
  return frame;
}

/** `{"type":"input_image_buffer.append","image":"<base64 JPEG>"}`. */
export function imageAppendFrame(jpeg: Buffer): string {
  return '{"type":"input_image_buffer.append","image":"' + jpeg.toString('base64') + '"}';
}
