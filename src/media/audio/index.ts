/** Audio media: WAV/PCM decoding, resampling to the service's 16 kHz mono PCM16, framing. No Node-RED here. */
export { AudioFormatError, type AudioErrorCode } from './errors';
export { type WavFormat, type WavHeader, isWav, parseWavHeader, encodeWav } from './wav';
export { bytesPerFrame, decodeInterleaved, decodeToMono, downmixToMono, floatToPcm16, pcm16ToFloat } from './pcm';
export { StreamingResampler, type ResamplerOptions } from './resampler';
export { Pcm16Framer } from './framer';
export { type CoercedBytes, type CoerceOptions, coerceToBytes } from './coerce';
export { sniffCompressed, sniffNotAudio } from './sniff';
export { type RawPcmFormat, type AudioChunk, AudioInputStream, checkRawFormat } from './input';
export { SilenceGate, type SilenceGateOptions, GATE_DEFAULTS, windowLevelsDb } from './gate';
export { AudioUplink, UPLINK_DEFAULTS, type UplinkChunk, type UplinkOutlet, type UplinkSettings } from './uplink';
