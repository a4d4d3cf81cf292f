/**
 * The append events as the text that goes on the wire. Templates, not JSON.stringify: base64 needs
 * no escaping, and a second of audio is a 43 KB string that need not be scanned again.
 */

/**
 * `{"type":"input_audio_buffer.append","audio":"<base64>"}`. A string, not a Buffer: it lives and
 * dies young in the JS heap (a minor collection's cheap work), ws writes it to the socket as it is
 * when the frame needs no masking (see socket-open.ts), and no backing store is allocated per frame.
 */
export function audioAppendFrame(pcm16: Buffer): string {
  return '{"type":"input_audio_buffer.append","audio":"' + pcm16.toString('base64') + '"}';
}

/** `{"type":"input_image_buffer.append","image":"<base64 JPEG>"}`. */
export function imageAppendFrame(jpeg: Buffer): string {
  return '{"type":"input_image_buffer.append","image":"' + jpeg.toString('base64') + '"}';
}
