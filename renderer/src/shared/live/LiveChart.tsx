import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { drawOnFrames, type LiveMetrics } from './live-metrics';

export interface LiveChartProps {
  metrics: LiveMetrics;
  /** Reads the ring buffers into uPlot's columns (x first). Called at most once a frame. */
  read: (metrics: LiveMetrics) => uPlot.AlignedData;
  series: { label: string; stroke: string; scale?: string; unit: string }[];
  /** true: x is epoch seconds; false: x is plain seconds (elapsed). */
  time: boolean;
  title: string;
  testId: string;
  height?: number;
}

/**
 * A uPlot chart created once per mount and fed with setData on animation frames when the live
 * metrics change; React never re-renders it for new data. `data-points` mirrors the number of
 * x values drawn (tests and screen readers get a number instead of a canvas).
 */
export function LiveChart({ metrics, read, series, time, title, testId, height = 160 }: LiveChartProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  // The chart is created once; the props it needs are read through refs.
  const readRef = useRef(read);
  readRef.current = read;

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const css = getComputedStyle(document.documentElement);
    const axisColor = css.getPropertyValue('--muted').trim() || '#888';
    const gridColor = css.getPropertyValue('--border').trim() || '#ddd';
    const scales = [...new Set(series.map((s) => s.scale ?? 'y'))];
    const axis = (scale: string, side: 0 | 1 | 2 | 3): uPlot.Axis => ({
      scale,
      side,
      stroke: axisColor,
      grid: { stroke: gridColor, width: 1 },
      ticks: { stroke: gridColor, width: 1 },
      size: 44,
      // Units are in the legend and the title; ticks stay short enough to fit.
      values: (_u, splits) => splits.map((v) => (v === null ? '' : formatTick(v, ''))),
    });
    const opts: uPlot.Options = {
      width: Math.max(200, host.clientWidth),
      height,
      title: undefined,
      scales: {
        // One point (or one instant) gets a window around it instead of uPlot's years-wide auto range.
        x: { time, range: (_u: uPlot, min: number, max: number) => (min === max || min === null ? [(min ?? 0) - (time ? 60 : 1), (max ?? 0) + (time ? 60 : 1)] : [min, max]) as uPlot.Range.MinMax },
        ...Object.fromEntries(scales.map((s) => [s, { auto: true, range: (_u: uPlot, min: number, max: number) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] as uPlot.Range.MinMax }])) },
      axes: [
        { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1 }, ...(time ? {} : { values: (_u, splits) => splits.map((v) => `${v}s`) }) },
        ...scales.map((s, i) => axis(s, i === 0 ? 3 : 1)),
      ],
      series: [{ label: time ? 'time' : 'elapsed' }, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, scale: s.scale ?? 'y', points: { show: time }, spanGaps: true, value: (_u: uPlot, v: number | null) => (v === null || Number.isNaN(v) ? '–' : formatTick(v, s.unit)) }))],
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
    };
    const initial = readRef.current(metrics);
    const chart = new uPlot(opts, initial, host);
    const draw = () => {
      const data = readRef.current(metrics);
      chart.setData(data);
      host.dataset.points = String(data[0].length);
    };
    const stop = drawOnFrames(metrics, draw);
    const resize = new ResizeObserver(() => {
      const w = Math.max(200, host.clientWidth);
      if (w !== chart.width) chart.setSize({ width: w, height });
    });
    resize.observe(host);
    return () => {
      stop();
      resize.disconnect();
      chart.destroy();
    };
    // Created once per mount on purpose (only `metrics` is a dependency): data arrives through setData.
  }, [metrics]);

  return (
    <figure className="chart">
      <figcaption className="chart-title">{title}</figcaption>
      <div ref={hostRef} className="chart-host" data-testid={testId} data-points="0" role="img" aria-label={title} />
    </figure>
  );
}

function formatTick(v: number, unit: string): string {
  const n = Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
  return unit ? `${n}${unit === 's' ? ' s' : ` ${unit}`}` : n;
}
