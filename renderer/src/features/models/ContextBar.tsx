import { useApp } from '../../shared/context';
import { formatPercent } from '../../shared/format';
import { selectCurrentModelInfo } from './selectors';
import { selectLastStats } from '../chat/selectors';

/**
 * How much of the model's real context window the last turn used. The window is the allocated
 * one (Ollama /api/ps), which is what a request can really use, not the model's trained maximum.
 */
export function ContextBar() {
  const stats = useApp(selectLastStats);
  const model = useApp(selectCurrentModelInfo);
  const window = stats?.context_window ?? model?.contextLength ?? null;
  const ratio = stats?.context_usage_ratio ?? null;
  const used = stats ? stats.input_tokens + stats.output_tokens : null;
  const pct = ratio === null ? 0 : Math.min(100, ratio * 100);
  const tone = pct >= 90 ? 'down' : pct >= 70 ? 'warn' : 'ok';
  return (
    <div className="context" data-testid="context-bar" data-ratio={ratio ?? ''} data-window={window ?? ''}>
      <div className="context-label">
        <span>Context</span>
        <span className="muted">
          {ratio === null ? 'no turn yet' : `${formatPercent(ratio)}`}
          {window ? ` of ${window.toLocaleString('en-US')} tokens` : ''}
        </span>
      </div>
      <progress className={`context-bar tone-${tone}`} max={100} value={pct} aria-label="Context window used" title={used !== null && window ? `${used} of ${window} tokens` : undefined} />
    </div>
  );
}
