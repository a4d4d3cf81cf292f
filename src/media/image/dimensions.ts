/**
 * Image dimensions read straight from the headers, without decoding and without sharp: enough to decide
 * whether a JPEG can be sent as it is (the common webcam case), and to work at all when sharp is missing.
 */

/** What a JPEG's headers say, for the pass-through decision. */
export interface JpegInfo {
  width: number;
  height: number;
  /** SOF marker number: 0xc0 baseline, 0xc1 extended, 0xc2 progressive, others (arithmetic, lossless…) rare. */
  sof: number;
  /** Bits per sample: 8 normally, 12 for medical/raw-ish files. */
  precision: number;
  /** 1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK. */
  components: number;
  /** EXIF orientation 1–8 (1 = as stored); 1 when there is no EXIF. */
  orientation: number;
  /** Whether an EOI marker closes the data (a missing one means a truncated frame). */
  complete: boolean;
}

/** Markers that stand alone, with no length field after them. */
function isStandalone(marker: number): boolean {
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8);
}

/** SOF0–SOF15 except DHT (c4), JPG (c8) and DAC (cc), which share the range. */
function isSof(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** EXIF orientation from an APP1 segment body (`Exif\0\0` + TIFF), or undefined when absent/garbled. */
function exifOrientation(buf: Buffer, start: number, end: number): number | undefined {
  if (end - start < 14 || buf.toString('latin1', start, start + 6) !== 'Exif\0\0') return undefined;
  const tiff = start + 6;
  const order = buf.toString('latin1', tiff, tiff + 2);
  if (order !== 'II' && order !== 'MM') return undefined;
  const le = order === 'II';
  const u16 = (o: number): number => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const ifd = tiff + u32(tiff + 4);
  if (ifd + 2 > end) return undefined;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > end) return undefined;
    if (u16(entry) === 0x0112) {
      const v = u16(entry + 8);
      return v >= 1 && v <= 8 ? v : undefined;
    }
  }
  return undefined;
}

/** Walks the JPEG marker segments up to the first scan. Undefined if there is no usable frame header. */
export function readJpegInfo(buf: Buffer): JpegInfo | undefined {
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) return undefined;
  let pos = 2;
  let orientation = 1;
  let frame: Omit<JpegInfo, 'orientation' | 'complete'> | undefined;
  while (pos + 4 <= buf.length) {
    if (buf[pos] !== 0xff) return undefined; // lost sync: not a well-formed header
    const marker = buf[pos + 1];
    if (marker === 0xff) { pos++; continue; } // fill byte
    if (isStandalone(marker)) { pos += 2; continue; }
    const len = buf.readUInt16BE(pos + 2);
    const body = pos + 4;
    const end = pos + 2 + len;
    if (len < 2 || end > buf.length) return undefined;
    if (marker === 0xe1) orientation = exifOrientation(buf, body, end) ?? orientation;
    if (isSof(marker) && len >= 8) {
      frame = {
        sof: marker,
        precision: buf[body],
        height: buf.readUInt16BE(body + 1),
        width: buf.readUInt16BE(body + 3),
        components: buf[body + 5],
      };
    }
    if (marker === 0xda) break; // start of scan: the headers are over
    pos = end;
  }
  // Height 0 means "defined later by a DNL marker": legal but too rare to chase; let sharp handle it.
  if (!frame || frame.width === 0 || frame.height === 0) return undefined;
  return { ...frame, orientation, complete: endsWithEoi(buf) };
}

/**
 * True when an EOI marker (FF D9) sits at the end, allowing for the zero/0xFF padding some cameras add
 * after it. Cheap check that catches frames cut short by a dropped packet or a partial file read.
 */
function endsWithEoi(buf: Buffer): boolean {
  let i = buf.length - 1;
  const stop = Math.max(1, buf.length - 4096);
  while (i >= stop && (buf[i] === 0x00 || buf[i] === 0xff)) i--;
  return i >= stop && buf[i] === 0xd9 && buf[i - 1] === 0xff;
}

function readPngSize(buf: Buffer): { width: number; height: number } | undefined {
  // Signature (8) + IHDR length (4) + "IHDR" (4) + width (4) + height (4): IHDR must come first.
  if (buf.length < 24 || buf.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  return width > 0 && height > 0 ? { width, height } : undefined;
}

/** Stored (not EXIF-rotated) size from the headers of a JPEG, PNG, GIF, WebP or BMP; undefined otherwise. */
export function readImageSize(buf: Buffer): { width: number; height: number } | undefined {
  if (buf.length >= 4 && buf[0] === 0xff && buf[1] === 0xd8) {
    const info = readJpegInfo(buf);
    return info && { width: info.width, height: info.height };
  }
  if (buf.length >= 8 && buf[0] === 0x89 && buf.toString('latin1', 1, 4) === 'PNG') return readPngSize(buf);
  const tag = buf.toString('latin1', 0, 4);
  // GIF: logical screen size, little-endian 16-bit, after the 6-byte signature.
  if (tag === 'GIF8' && buf.length >= 10) return { width: buf.readUInt16LE(6), height: buf.readUInt16LE(8) };
  if (tag === 'RIFF' && buf.length >= 30 && buf.toString('latin1', 8, 12) === 'WEBP') return readWebpSize(buf);
  // BMP: signed 32-bit sizes after the 14-byte file header (negative height = top-down), 16-bit in OS/2 core headers.
  if (buf.length >= 26 && buf.toString('latin1', 0, 2) === 'BM') {
    const core = buf.readUInt32LE(14) === 12;
    return core ? { width: buf.readUInt16LE(18), height: buf.readUInt16LE(20) }
      : { width: Math.abs(buf.readInt32LE(18)), height: Math.abs(buf.readInt32LE(22)) };
  }
  return undefined;
}

function readWebpSize(buf: Buffer): { width: number; height: number } | undefined {
  const chunk = buf.toString('latin1', 12, 16);
  if (chunk === 'VP8X') return { width: 1 + buf.readUIntLE(24, 3), height: 1 + buf.readUIntLE(27, 3) };
  if (chunk === 'VP8L') {
    const bits = buf.readUInt32LE(21);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff) };
  }
  if (chunk === 'VP8 ') return { width: buf.readUInt16LE(26) & 0x3fff, height: buf.readUInt16LE(28) & 0x3fff };
  return undefined;
}
