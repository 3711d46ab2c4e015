import { useEffect, useRef, useState } from 'react';
import { useApp, useActions } from '../../shared/context';
import { countOf, formatSince } from '../../shared/format';
import { selectMemory } from './selectors';
import { type MemoryFilter } from './slice';

/** What the agent remembers: facts (semantic) and standing instructions (procedural). */
export function MemoryView() {
  const memory = useApp(selectMemory);
  const controller = useActions();
  const [query, setQuery] = useState(memory.query);
  const first = useRef(true);
  useEffect(() => void controller.refreshMemory(), [controller]);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const timer = setTimeout(() => void controller.searchMemory(query), 250);
    return () => clearTimeout(timer);
  }, [query, controller]);
  const info = memory.info;
  return (
    <div className="view" data-testid="memory-view">
      <section className="card" aria-label="Memory">
        <header className="card-header">
          <h2>Memory</h2>
          {info && (
            <span className="muted" data-testid="memory-info">
              {countOf(info.entries.semantic, 'fact')} · {countOf(info.entries.procedural, 'instruction')} · {info.persistent ? 'saved to disk' : 'not persistent'}
            </span>
          )}
        </header>
        {info?.problem && (
          <p className="banner banner-warning" role="status">
            {info.problem}
          </p>
        )}
        <div className="row">
          <input type="search" className="input grow" placeholder="Search memory" aria-label="Search memory" data-testid="memory-search" value={query} onChange={(e) => setQuery(e.target.value)} />
          <div role="radiogroup" aria-label="Kind" className="segmented">
            {(['all', 'semantic', 'procedural'] as MemoryFilter[]).map((f) => (
              <button key={f} type="button" role="radio" aria-checked={memory.filter === f} className={memory.filter === f ? 'segment active' : 'segment'} onClick={() => void controller.setMemoryFilter(f)}>
                {f === 'all' ? 'All' : f === 'semantic' ? 'Facts' : 'Instructions'}
              </button>
            ))}
          </div>
        </div>
        {memory.status === 'error' && (
          <p className="field-error" role="alert" data-testid="memory-error">
            {memory.error}
          </p>
        )}
        {memory.status === 'ready' && memory.entries.length === 0 && <p className="muted">Nothing remembered{memory.query ? ' matches' : ' yet (say "remember that …" in a chat)'}.</p>}
        <ul className="memory-list" data-testid="memory-list">
          {memory.entries.map((e) => (
            <li key={e.id} className="memory-item" data-testid="memory-item">
              <span className={`badge kind-${e.type}`}>{e.type === 'semantic' ? 'fact' : 'instruction'}</span>
              <span className="grow">{e.text}</span>
              <span className="muted">
                {e.source === 'chat' ? 'from a chat' : 'added'} · {formatSince(e.createdAt)}
                {e.score !== null ? ` · match ${(e.score * 100).toFixed(0)}%` : ''}
              </span>
              <button type="button" className="button button-small" aria-label={`Forget: ${e.text}`} data-testid="memory-delete" onClick={() => void controller.deleteMemory(e.id)}>
                Forget
              </button>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
