import { useEffect, useRef } from 'react';
import { drawOnFrames, type LiveMetrics } from './live-metrics';
import type { TurnSample } from '../../../../core/common';

export interface GaugeProps {
  metrics: LiveMetrics;
  label: string;
  unit: string;
  testId: string;
  /** The value from the latest sample (null = no value yet). */
  pick: (sample: TurnSample) => number | null;
  /** Full scale of the arc; grows when exceeded so the needle never pins. */
  max: number;
  digits: number;
}

const R = 40;
const ARC = Math.PI * R; // half circle

/**
 * A half-circle gauge drawn from the live samples by writing to the DOM on animation frames
 * (the SVG arc and the number), so ~10 samples a second never re-render React.
 */
export function Gauge({ metrics, label, unit, testId, pick, max, digits }: GaugeProps) {
  const valueRef = useRef<HTMLSpanElement>(null);
  const arcRef = useRef<SVGPathElement>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const pickRef = useRef(pick);
  pickRef.current = pick;

  useEffect(() => {
    let scale = max;
    return drawOnFrames(metrics, () => {
      const sample = metrics.latest();
      const value = sample ? pickRef.current(sample) : null;
      const text = value === null ? '–' : value.toFixed(digits);
      if (valueRef.current && valueRef.current.textContent !== text) valueRef.current.textContent = text;
      if (value !== null && value > scale) scale = niceCeil(value);
      const share = value === null ? 0 : Math.max(0, Math.min(1, value / scale));
      arcRef.current?.setAttribute('stroke-dasharray', `${(share * ARC).toFixed(1)} ${ARC.toFixed(1)}`);
      const root = rootRef.current;
      if (root) {
        root.dataset.value = value === null ? '' : String(value);
        root.dataset.live = sample && !sample.final ? 'true' : 'false';
        root.setAttribute('aria-valuenow', value === null ? '0' : value.toFixed(digits));
        root.setAttribute('aria-valuemax', String(scale));
      }
    });
  }, [metrics, max, digits]);

  return (
    <div ref={rootRef} className="gauge" data-testid={testId} data-value="" role="meter" aria-label={`${label} (${unit})`} aria-valuemin={0} aria-valuemax={max} aria-valuenow={0}>
      <svg viewBox="0 0 100 56" className="gauge-svg" aria-hidden="true">
        <path d="M10 50 A40 40 0 0 1 90 50" className="gauge-track" fill="none" strokeWidth="9" />
        <path ref={arcRef} d="M10 50 A40 40 0 0 1 90 50" className="gauge-arc" fill="none" strokeWidth="9" strokeDasharray={`0 ${ARC}`} />
      </svg>
      <div className="gauge-readout">
        <span ref={valueRef} className="gauge-value">
          –
        </span>
        <span className="gauge-unit">{unit}</span>
      </div>
      <div className="gauge-label">{label}</div>
    </div>
  );
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
