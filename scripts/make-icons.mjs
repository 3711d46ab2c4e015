// Draws the tray icons (one shape per health state, so colour-blind users and monochrome trays
// still tell them apart) and the app icon, and writes them as PNGs into resources/icons.
// Pure Node: shapes are signed distance functions, anti-aliased by supersampling, and the PNG is
// encoded by hand with zlib. Deterministic: the same pixels on every run.
//
//   node scripts/make-icons.mjs           write resources/icons/**
//   node scripts/make-icons.mjs --check   exit 1 when a committed icon differs from what this draws
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deflateSync, inflateSync } from 'node:zlib';

export const trayStates = ['unknown', 'healthy', 'degraded', 'down', 'alerting-warning', 'alerting-critical'];
/** Logical tray sizes; each also gets an @2x file (Electron's nativeImage picks it on HiDPI). */
export const traySizes = [16, 32];
export const appIconSizes = [256, 512];

// ---------------------------------------------------------------------------------------------
// Signed distance functions in the unit square (negative inside).

const len = (x, y) => Math.hypot(x, y);
const clamp = (v, lo, hi) => Math.min(Math.max(v, lo), hi);

const circle = (cx, cy, r) => (x, y) => len(x - cx, y - cy) - r;
const ring = (cx, cy, r, half) => (x, y) => Math.abs(len(x - cx, y - cy) - r) - half;

function segmentDistance(x, y, ax, ay, bx, by) {
  const ex = bx - ax;
  const ey = by - ay;
  const t = clamp(((x - ax) * ex + (y - ay) * ey) / (ex * ex + ey * ey), 0, 1);
  return len(x - ax - ex * t, y - ay - ey * t);
}

const capsule = (ax, ay, bx, by, r) => (x, y) => segmentDistance(x, y, ax, ay, bx, by) - r;

const polyline = (points, half) => (x, y) => {
  let d = Infinity;
  for (let i = 1; i < points.length; i++) d = Math.min(d, segmentDistance(x, y, ...points[i - 1], ...points[i]));
  return d - half;
};

/** Inigo Quilez's polygon SDF. */
const polygon = (points) => (x, y) => {
  let d = (x - points[0][0]) ** 2 + (y - points[0][1]) ** 2;
  let s = 1;
  for (let i = 0, j = points.length - 1; i < points.length; j = i, i++) {
    const [vx, vy] = points[i];
    const [ux, uy] = points[j];
    const ex = ux - vx;
    const ey = uy - vy;
    const wx = x - vx;
    const wy = y - vy;
    const t = clamp((wx * ex + wy * ey) / (ex * ex + ey * ey), 0, 1);
    d = Math.min(d, (wx - ex * t) ** 2 + (wy - ey * t) ** 2);
    const a = y >= vy;
    const b = y < uy;
    const c = ex * wy > ey * wx;
    if ((a && b && c) || (!a && !b && !c)) s = -s;
  }
  return s * Math.sqrt(d);
};

const union = (...fs) => (x, y) => Math.min(...fs.map((f) => f(x, y)));

/** A box of half-size (hw, hh) centred at (cx, cy), rotated by `angle`, corners rounded by r. */
const rotatedBox = (cx, cy, hw, hh, angle, r = 0) => (x, y) => {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const px = Math.abs((x - cx) * c + (y - cy) * s);
  const py = Math.abs(-(x - cx) * s + (y - cy) * c);
  const qx = px - hw + r;
  const qy = py - hh + r;
  return len(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};

function regularPolygon(n, cx, cy, r, rotation) {
  return Array.from({ length: n }, (_, i) => {
    const a = rotation + (i * 2 * Math.PI) / n;
    return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
  });
}

// ---------------------------------------------------------------------------------------------
// The icons: layers painted bottom to top, each an SDF and a colour; `grow` widens the shape
// (the dark outline under a fill, so the icon reads on light and dark trays alike).

const hex = (h, a = 255) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16), a];
const outline = 0.06;
const white = hex('#ffffff');

function shaped(shape, fill, edge, glyph) {
  const layers = [
    { sdf: shape, grow: outline, color: hex(edge) },
    { sdf: shape, grow: 0, color: hex(fill) },
  ];
  if (glyph) layers.push({ sdf: glyph, grow: 0, color: white });
  return layers;
}

/** "!" for the two alerting states. */
const exclamation = union(capsule(0.5, 0.27, 0.5, 0.55, 0.075), circle(0.5, 0.73, 0.085));

export const trayDesigns = {
  // Grey ring: no answer yet.
  unknown: shaped(ring(0.5, 0.5, 0.33, 0.1), '#9aa0a6', '#3c4043'),
  // Green filled circle: all good.
  healthy: shaped(circle(0.5, 0.5, 0.4), '#2db84d', '#0e4a1c'),
  // Amber triangle: works, but something (export, Prometheus, speed) is off.
  degraded: shaped(polygon([[0.5, 0.1], [0.92, 0.86], [0.08, 0.86]]), '#f2b705', '#5c4500'),
  // Red cross: Ollama unreachable, no chat.
  down: shaped(union(rotatedBox(0.5, 0.5, 0.42, 0.12, Math.PI / 4, 0.04), rotatedBox(0.5, 0.5, 0.42, 0.12, -Math.PI / 4, 0.04)), '#e5484d', '#5a1416'),
  // Orange diamond with "!": an alert of warning severity is firing.
  'alerting-warning': shaped(polygon([[0.5, 0.05], [0.95, 0.5], [0.5, 0.95], [0.05, 0.5]]), '#ff8a00', '#5e3200', exclamation),
  // Crimson octagon (stop sign) with "!": a critical alert is firing.
  'alerting-critical': shaped(polygon(regularPolygon(8, 0.5, 0.5, 0.47, Math.PI / 8)), '#b0106a', '#45042a', exclamation),
};

export const appIconDesign = [
  { sdf: rotatedBox(0.5, 0.5, 0.46, 0.46, 0, 0.11), grow: 0.008, color: hex('#2a2f3a') },
  { sdf: rotatedBox(0.5, 0.5, 0.46, 0.46, 0, 0.11), grow: 0, color: hex('#111318') },
  { sdf: ring(0.5, 0.5, 0.3, 0.022), grow: 0, color: hex('#2db84d') },
  {
    sdf: polyline(
      [
        [0.14, 0.54],
        [0.36, 0.54],
        [0.43, 0.37],
        [0.5, 0.7],
        [0.57, 0.3],
        [0.64, 0.54],
        [0.86, 0.54],
      ],
      0.022,
    ),
    grow: 0,
    color: hex('#5fd3f3'),
  },
];

/** RGBA pixels (Uint8Array, row-major) of `layers` at `size` x `size`. */
export function render(layers, size, samples = size >= 128 ? 3 : 6) {
  const out = new Uint8Array(size * size * 4);
  const n = samples * samples;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) / size;
          const y = (py + (sy + 0.5) / samples) / size;
          let color = null;
          for (let i = layers.length - 1; i >= 0; i--) {
            if (layers[i].sdf(x, y) <= layers[i].grow) {
              color = layers[i].color;
              break;
            }
          }
          if (!color) continue;
          const alpha = color[3] / 255;
          r += color[0] * alpha;
          g += color[1] * alpha;
          b += color[2] * alpha;
          a += alpha;
        }
      }
      const o = (py * size + px) * 4;
      if (a > 0) {
        out[o] = Math.round(r / a);
        out[o + 1] = Math.round(g / a);
        out[o + 2] = Math.round(b / a);
        out[o + 3] = Math.round((a / n) * 255);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// PNG (RGBA, 8 bit, no interlace, filter 0 on every row).

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function encodePng(rgba, width, height) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  return Buffer.concat([pngSignature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** Reads back a PNG this script wrote (RGBA 8 bit, filter 0); throws on anything else. */
export function decodePng(png) {
  if (!png.subarray(0, 8).equals(pngSignature)) throw new Error('not a PNG');
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (crc32(png.subarray(offset + 4, offset + 8 + length)) !== png.readUInt32BE(offset + 8 + length)) throw new Error(`bad CRC in ${type}`);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[9] !== 6 || data[12] !== 0) throw new Error('only 8-bit RGBA, non-interlaced');
    } else if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 4 + 1);
    if (raw[row] !== 0) throw new Error(`row ${y} uses PNG filter ${raw[row]}; only 0 is written here`);
    rgba.set(raw.subarray(row + 1, row + 1 + width * 4), y * width * 4);
  }
  return { width, height, rgba };
}

// ---------------------------------------------------------------------------------------------

/** Every file this script writes, relative to resources/icons, with its pixel size and design. */
export function iconFiles() {
  const files = [];
  for (const state of trayStates) {
    for (const size of traySizes) {
      files.push({ path: `tray/${state}-${size}.png`, size, design: trayDesigns[state] });
      files.push({ path: `tray/${state}-${size}@2x.png`, size: size * 2, design: trayDesigns[state] });
    }
  }
  for (const size of appIconSizes) files.push({ path: `app/${size}x${size}.png`, size, design: appIconDesign });
  return files;
}

function main() {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'icons');
  const check = process.argv.includes('--check');
  const stale = [];
  for (const { path, size, design } of iconFiles()) {
    const target = join(root, path);
    const pixels = render(design, size);
    if (check) {
      let same;
      try {
        const current = decodePng(readFileSync(target));
        same = current.width === size && current.height === size && Buffer.from(current.rgba).equals(Buffer.from(pixels));
      } catch {
        same = false;
      }
      if (!same) stale.push(path);
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, encodePng(pixels, size, size));
  }
  if (check && stale.length > 0) {
    process.stderr.write(`Icons out of date (run node scripts/make-icons.mjs): ${stale.join(', ')}\n`);
    process.exit(1);
  }
  if (!check) process.stdout.write(`Wrote ${iconFiles().length} icons to ${root}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
