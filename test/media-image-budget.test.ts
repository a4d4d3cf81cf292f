import assert from 'node:assert/strict';
import { DEFAULT_BUDGET, fitWithin, imageTokens } from '../src/media/image';

describe('media/image budget', () => {
  it('bills 0.5 token per started 28x28 tile', () => {
    assert.equal(imageTokens(28, 28), 0.5);
    assert.equal(imageTokens(29, 28), 1);
    assert.equal(imageTokens(1920, 1080), 69 * 39 * 0.5);
    assert.equal(imageTokens(1280, 720), 46 * 26 * 0.5);
  });

  it('defaults to 720p at quality 80', () => {
    assert.deepEqual({ ...DEFAULT_BUDGET }, { maxWidth: 1280, maxHeight: 720, quality: 80 });
  });

  it('shrinks 1080p to exactly 720p and keeps the aspect ratio', () => {
    assert.deepEqual(fitWithin(1920, 1080, DEFAULT_BUDGET), { width: 1280, height: 720 });
    assert.deepEqual(fitWithin(4000, 3000, DEFAULT_BUDGET), { width: 960, height: 720 });
  });

  it('never upscales', () => {
    assert.deepEqual(fitWithin(640, 480, DEFAULT_BUDGET), { width: 640, height: 480 });
    assert.deepEqual(fitWithin(1, 1, { maxWidth: 5000, maxHeight: 5000 }), { width: 1, height: 1 });
  });

  it('caps at 1920x1080 whatever the budget, portrait frames included', () => {
    assert.deepEqual(fitWithin(4000, 3000, { maxWidth: 8000, maxHeight: 8000 }), { width: 1440, height: 1080 });
    assert.deepEqual(fitWithin(1080, 1920, { maxWidth: 8000, maxHeight: 8000 }), { width: 607, height: 1080 });
    assert.deepEqual(fitWithin(10000, 100, { maxWidth: 8000, maxHeight: 8000 }), { width: 1920, height: 19 });
  });

  it('respects maxPixels', () => {
    const fit = fitWithin(1920, 1080, { maxWidth: 1920, maxHeight: 1080, maxPixels: 640 * 360 });
    assert.ok(fit.width * fit.height <= 640 * 360, `${fit.width}x${fit.height}`);
    assert.ok(Math.abs(fit.width / fit.height - 16 / 9) < 0.01);
    assert.ok(fit.width >= 638, `should not shrink far below the cap, got ${fit.width}`);
  });

  it('keeps extreme aspect ratios at least one pixel', () => {
    assert.deepEqual(fitWithin(100000, 10, DEFAULT_BUDGET), { width: 1280, height: 1 });
  });

  it('rejects nonsense budgets and sizes', () => {
    assert.throws(() => fitWithin(100, 100, { maxWidth: 0, maxHeight: 100 }), RangeError);
    assert.throws(() => fitWithin(100, 100, { maxWidth: 100, maxHeight: NaN }), RangeError);
    assert.throws(() => fitWithin(0, 100, DEFAULT_BUDGET), RangeError);
  });
});
