/** image in's editor settings, read into the media-level uplink's settings (blank or bad values: the defaults). */
import type { NodeDef } from 'node-red';
import type { ImageBudget, ImageUplinkSettings } from '../media/image';

export interface ImageInDef extends NodeDef {
  session: string;
  maxWidth?: number | string;
  maxHeight?: number | string;
  quality?: number | string;
  maxRate?: number | string;
  /** Cap on the tokens one frame costs (0 or blank: only the size limits). */
  maxTokens?: number | string;
  /** 'always' (default), 'speech' (only while speech is active), 'change' (only when the scene changed). */
  sendWhen?: 'always' | 'speech' | 'change';
  /** Scene change needed, in percent of full scale (mean absolute difference of thumbnails). */
  changeThreshold?: number | string;
}

function num(v: unknown, d: number, lo: number, hi: number): number {
  const x = typeof v === 'string' && v.trim() === '' ? NaN : Number(v);
  return isFinite(x) && x > 0 ? Math.min(hi, Math.max(lo, x)) : d;
}

function budgetFrom(def: ImageInDef): ImageBudget {
  const budget: ImageBudget = { maxWidth: num(def.maxWidth, 1280, 16, 1920), maxHeight: num(def.maxHeight, 720, 16, 1080), quality: num(def.quality, 80, 1, 100) };
  const tokens = num(def.maxTokens, 0, 1, 100000);
  if (tokens > 0) budget.maxTokens = tokens;
  return budget;
}

export function imageUplinkSettingsFrom(def: ImageInDef): ImageUplinkSettings {
  const settings: ImageUplinkSettings = { budget: budgetFrom(def), perSecond: Number(def.maxRate) || undefined };
  if (def.sendWhen === 'change') settings.changeThreshold = num(def.changeThreshold, 3, 0.1, 100) / 100;
  return settings;
}
