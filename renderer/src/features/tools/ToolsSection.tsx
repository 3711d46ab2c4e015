import { useEffect } from 'react';
import type { ToolInfo, ToolPolicy } from '../../../../core/common';
import { toolPolicies } from '../../../../core/common/tools';
import { useApp, useActions } from '../../shared/context';
import { selectMcpHealth, selectTools } from './selectors';
import { describeServer, shortDescription, toolGroups, toolsSummary, toolState, toolStateText } from './tools-view';

const policyText: Record<ToolPolicy, string> = { off: 'off', ask: 'ask', allow: 'allow' };

/**
 * Settings > Tools: every tool of `tools.list` by source (built-in, each MCP server with its
 * health), what it does, whether it only reads, and its policy. A change is saved at once
 * (`tools.policy` is live): the next turn offers exactly the tools marked on.
 */
export function ToolsSection() {
  const tools = useApp(selectTools);
  const servers = useApp(selectMcpHealth);
  const actions = useActions();
  // Reload when an MCP server connects, drops or lists other tools: its tools come and go with it.
  const serverKey = (servers ?? []).map((s) => `${s.name}:${s.state}:${s.tools}`).join('|');
  useEffect(() => void actions.loadTools(), [actions, serverKey]);

  const groups = toolGroups(tools.list, servers ?? []);
  const summary = toolsSummary(tools.list);
  return (
    <section className="card tools-section" aria-labelledby="tools-heading" data-testid="tools-section">
      <header className="card-header">
        <h2 id="tools-heading">Tools</h2>
      </header>
      <p className="muted tools-intro">
        Tools the model may call while it answers. A small model does best with few: turn off what you do not need. A tool that is not read-only
        asks you (Run / Deny) before it runs. Changes here apply at once, to the next answer.
      </p>
      {tools.status === 'error' && (
        <p className="field-error" role="alert">
          {tools.error}
        </p>
      )}
      {tools.status !== 'error' && tools.list.length === 0 && groups.length === 0 && <p className="muted">{tools.status === 'ready' ? 'No tools.' : 'Loading tools…'}</p>}
      {tools.list.length > 0 && (
        <p className="tools-summary" data-testid="tools-summary" data-on={summary.on.map((t) => t.name).join(',')}>
          {summary.text}
        </p>
      )}
      {groups.map((group) => (
        <div key={group.source} className="tools-group" data-testid="tools-group" data-source={group.source}>
          <div className="tools-group-head">
            <h3>{group.title}</h3>
            {group.server && (
              <span className={`badge mcp-state mcp-state-${group.server.state}`} data-testid="mcp-server-state" data-state={group.server.state}>
                {describeServer(group.server)}
              </span>
            )}
          </div>
          {group.server?.lastError && (
            <p className={group.server.state === 'connected' ? 'muted tools-note' : 'field-error tools-note'} data-testid="mcp-server-error">
              {group.server.state === 'connected' ? 'Last error (recovered): ' : 'Last error: '}
              {shortDescription(group.server.lastError, 300)}
            </p>
          )}
          {group.tools.length === 0 && <p className="muted tools-note">No tools from this server{group.server?.state === 'connected' ? '.' : ' while it is not connected.'}</p>}
          <ul className="tools-list">
            {group.tools.map((tool) => (
              <ToolRow key={tool.name} tool={tool} saving={tools.saving === tool.name} error={tools.saveError?.tool === tool.name ? tools.saveError.message : null} />
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}

function ToolRow({ tool, saving, error }: { tool: ToolInfo; saving: boolean; error: string | null }) {
  const actions = useActions();
  const state = toolState(tool);
  const id = `tool-policy-${tool.name.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
  return (
    <li className={`tool-row tool-row-${state}`} data-testid="tool-row" data-name={tool.name} data-state={state} data-policy={tool.policy}>
      <div className="tool-row-main">
        <div className="tool-row-title">
          <code className="tool-row-name">{tool.name}</code>
          <span className={`badge tool-kind${tool.readOnly ? '' : ' tool-kind-writes'}`} data-testid="tool-kind">
            {tool.readOnly ? 'read-only' : 'may change things'}
          </span>
          <span className={`badge tool-state tool-state-${state}`} data-testid="tool-state">
            {toolStateText[state]}
          </span>
        </div>
        <p className="muted tool-row-description" title={tool.description}>
          {shortDescription(tool.description) || 'No description.'}
        </p>
        {tool.unavailable !== null && (
          <p className="muted tool-row-description" data-testid="tool-unavailable">
            Not available: {tool.unavailable}
          </p>
        )}
        {error && (
          <p className="field-error" role="alert" data-testid="tool-policy-error">
            {error}
          </p>
        )}
      </div>
      <div className="tool-row-policy">
        <label htmlFor={id}>
          <span>Policy</span>
        </label>
        <select
          id={id}
          className="input"
          data-testid="tool-policy"
          value={tool.policy}
          disabled={saving}
          onChange={(e) => void actions.setToolPolicy(tool.name, e.target.value as ToolPolicy)}
        >
          {toolPolicies.map((p) => (
            <option key={p} value={p}>
              {policyText[p]}
              {p === tool.defaultPolicy ? ' (default)' : ''}
            </option>
          ))}
        </select>
      </div>
    </li>
  );
}
