import sharp from 'sharp';
import type { LedFrame } from '../device-drivers/contracts/led-controller.js';
import { dotsPicture, packet } from '../device-drivers/led-controller/alpha-protocol.js';
import type { Benchmark } from './run.js';
import { percentile, round } from './stats.js';

const W = 128;
const H = 32;

/**
 * Render + encode one 128×32 CJK frame: sharp text at a fixed size (the signage renderer's job, done the same way
 * here so the figure covers the whole path) → 1-bit LedFrame → Alpha SMALL DOTS packet with checksum.
 */
async function renderFrame(text: string): Promise<LedFrame> {
  const { data, info } = await sharp({
    text: {
      text: `<span font_family="Noto Sans CJK SC" font_size="${22 * 1024}">${text}</span>`,
      dpi: 72,
      rgba: false,
    },
  })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const pixels = new Uint8Array(W * H);
  const top = Math.max(0, Math.floor((H - info.height) / 2));
  for (let y = 0; y < Math.min(H, info.height); y++) {
    for (let x = 0; x < Math.min(W, info.width); x++) {
      if (data[y * info.width * info.channels + x * info.channels]! > 110) pixels[(y + top) * W + x] = 1;
    }
  }
  return { width: W, height: H, colors: 1, pixels };
}

export const benchmark: Benchmark = {
  name: 'led-frame',
  summary: 'render (sharp, CJK) + Alpha-encode a 128×32 frame, median ms (goal ≤ 2)',
  async run(args, emit) {
    const n = Number(args[args.indexOf('--iterations') + 1]) || 300;
    const texts = ['明日停水 8:00-14:00', '志愿者活动 周六上午', '暴雨预警 请勿外出', '电梯维修 请走楼梯'];
    for (let i = 0; i < 20; i++) packet('00', dotsPicture('a', await renderFrame(texts[i % texts.length]!)));
    const samples: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      packet('00', dotsPicture('a', await renderFrame(texts[i % texts.length]!)));
      samples.push(performance.now() - t0);
    }
    emit({
      name: 'led-frame',
      value: round(percentile(samples, 50), 3),
      unit: 'ms',
      p50: round(percentile(samples, 50), 3),
      p99: round(percentile(samples, 99), 3),
      max: round(Math.max(...samples), 3),
      goal: 2,
      iterations: n,
    });
  },
};
