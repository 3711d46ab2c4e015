import type { ChangeEvent } from 'react';
import { useApp } from '../../shared/context';
import { formatDefaultOption, formatModelOption } from '../../shared/format';
import { selectIsTurnRunning } from '../chat/selectors';
import { selectModelList, selectModelsError, selectModelsStatus, selectSelectedModel, selectSelectModel } from './selectors';

const DEFAULT = '';

export function ModelPicker() {
  const list = useApp(selectModelList);
  const selected = useApp(selectSelectedModel);
  const status = useApp(selectModelsStatus);
  const error = useApp(selectModelsError);
  const running = useApp(selectIsTurnRunning);
  const select = useApp(selectSelectModel);
  const onChange = (e: ChangeEvent<HTMLSelectElement>) => select(e.target.value === DEFAULT ? null : e.target.value);
  // A chosen model that the list no longer has is still shown, so the choice is not silently lost.
  const missing = selected !== null && !list.some((m) => m.name === selected);
  const defaultModel = list.find((m) => m.isDefault);
  const defaultName = defaultModel?.name;
  return (
    <label className="model-picker" title={error ?? undefined}>
      <span className="visually-hidden">Model</span>
      <select aria-label="Model" data-testid="model-picker" value={selected ?? DEFAULT} onChange={onChange} disabled={running}>
        {/* "Default" follows the configured model (a settings change moves it); the name says which it is now. */}
        <option value={DEFAULT} data-testid="model-default" data-loaded={defaultModel?.loaded ? 'true' : 'false'} title={defaultName ? `The configured chat model, ${defaultName}` : undefined}>
          {formatDefaultOption(defaultModel)}
        </option>
        {missing && <option value={selected}>{selected} (not listed)</option>}
        {list.map((m) => (
          <option key={m.name} value={m.name} data-loaded={m.loaded ? 'true' : 'false'}>
            {formatModelOption(m)}
          </option>
        ))}
      </select>
      {status === 'loading' && <span className="muted">loading…</span>}
      {status === 'error' && (
        <span className="muted" data-testid="models-error">
          models unavailable
        </span>
      )}
    </label>
  );
}
