// The benchmark's picture: requests per job against p95 detection latency
// (unscaled, in the workload's seconds), one labelled point per strategy, as
// a small self-contained SVG. Lower and further left is better.

/** One point of the plot. */
export interface PlotPoint {
  /** The strategy's id, used as the label. */
  id: string;
  /** Mean status requests per job (vertical axis). */
  requestsPerJob: number;
  /**
   * 95th percentile of detection latency in unscaled ms (horizontal, log
   * scale, labelled in seconds).
   */
  latencyP95Ms: number;
}

const WIDTH = 720;
const HEIGHT = 440;
const LEFT = 70;
const RIGHT = 30;
const TOP = 50;
const BOTTOM = 60;

/** Draws the points as an SVG document. */
export function plotSvg(points: readonly PlotPoint[], title: string): string {
  const latencies = points.map((point) => Math.max(0.1, point.latencyP95Ms));
  const lowExponent = Math.floor(Math.log10(Math.min(...latencies)));
  const highExponent = Math.ceil(Math.log10(Math.max(...latencies)));
  const span = Math.max(1, highExponent - lowExponent);
  const topRequests = Math.ceil(
    Math.max(...points.map((point) => point.requestsPerJob)) + 0.5,
  );
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const x = (ms: number): number =>
    LEFT +
    (Math.log10(Math.max(0.1, ms)) - lowExponent) / span * plotWidth;
  const y = (requests: number): number =>
    TOP + plotHeight - requests / topRequests * plotHeight;

  const parts: string[] = [];
  // Grid and ticks: 1, 2, 5 per decade across, in seconds; whole requests up.
  for (let exponent = lowExponent; exponent <= highExponent; exponent++) {
    for (const mantissa of [1, 2, 5]) {
      const ms = mantissa * 10 ** exponent;
      if (exponent === highExponent && mantissa > 1) break;
      const at = x(ms).toFixed(1);
      parts.push(
        `<line x1="${at}" y1="${TOP}" x2="${at}" y2="${
          TOP + plotHeight
        }" class="grid"/>`,
        `<text x="${at}" y="${TOP + plotHeight + 18}" text-anchor="middle">${
          formatSeconds(ms)
        }</text>`,
      );
    }
  }
  const step = topRequests > 10 ? 2 : 1;
  for (let requests = 0; requests <= topRequests; requests += step) {
    const at = y(requests).toFixed(1);
    parts.push(
      `<line x1="${LEFT}" y1="${at}" x2="${
        LEFT + plotWidth
      }" y2="${at}" class="grid"/>`,
      `<text x="${
        LEFT - 8
      }" y="${at}" dy="4" text-anchor="end">${requests}</text>`,
    );
  }
  // Each label goes to the first corner of its point where it stays on the
  // canvas and overlaps no label placed before.
  const placed: Box[] = [];
  for (const point of points) {
    const cx = x(point.latencyP95Ms);
    const cy = y(point.requestsPerJob);
    const width = 7 * point.id.length;
    const box = CORNERS.map(([dx, dy]): Box => ({
      left: dx > 0 ? cx + dx : cx + dx - width,
      top: cy + dy - 12,
      width,
      height: 14,
    })).find((candidate) =>
      candidate.left >= 0 && candidate.left + candidate.width <= WIDTH &&
      !placed.some((other) => overlaps(candidate, other))
    ) ??
      {
        left: Math.min(cx + 8, WIDTH - width),
        top: cy - 20,
        width,
        height: 14,
      };
    placed.push(box);
    parts.push(
      `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="5"/>`,
      `<text x="${box.left.toFixed(1)}" y="${(box.top + 12).toFixed(1)}">${
        escape(point.id)
      }</text>`,
    );
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<style>.grid{stroke:#ddd;stroke-width:1}circle{fill:#1f6feb}text{fill:#222}</style>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="15">${
      escape(title)
    }</text>`,
    ...parts,
    `<rect x="${LEFT}" y="${TOP}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#888"/>`,
    `<text x="${LEFT + plotWidth / 2}" y="${
      HEIGHT - 16
    }" text-anchor="middle">p95 detection latency (s, unscaled, log scale)</text>`,
    `<text transform="translate(18 ${
      TOP + plotHeight / 2
    }) rotate(-90)" text-anchor="middle">requests per job</text>`,
    `</svg>`,
    "",
  ].join("\n");
}

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

// Label offsets from a point: above right, below right, above left, below left.
const CORNERS: [number, number][] = [[8, -8], [8, 18], [-8, -8], [-8, 18]];

function overlaps(a: Box, b: Box): boolean {
  return a.left < b.left + b.width && b.left < a.left + a.width &&
    a.top < b.top + b.height && b.top < a.top + a.height;
}

// A tick of 1, 2 or 5 times a power of ten ms, in seconds without float
// noise: 0.001, 0.02, 5, 100.
function formatSeconds(ms: number): string {
  return String(Number((ms / 1000).toPrecision(1)));
}

function escape(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(
    ">",
    "&gt;",
  );
}
