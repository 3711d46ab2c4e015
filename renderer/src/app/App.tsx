import { ChatView } from '../features/chat/View';
import { ErrorBanner } from '../features/chat/ErrorBanner';
import { LivePanel } from '../features/chat/LivePanel';
import { useEscapeStops } from '../features/chat/StopButton';
import { ConversationsSidebar } from '../features/conversations/View';
import { KnowledgeView } from '../features/knowledge/View';
import { MemoryView } from '../features/memory/View';
import { ObservabilityView } from '../features/observability/View';
import { SettingsView } from '../features/settings/View';
import { useApp } from '../shared/context';
import { selectView } from '../shared/state';
import { ConnectionNotice } from './ConnectionNotice';
import { Toolbar } from './Toolbar';

export function App() {
  const view = useApp(selectView);
  useEscapeStops();
  return (
    <div className="app" data-testid="app" data-view={view}>
      <Toolbar />
      <ConnectionNotice />
      <ErrorBanner />
      <div className="body">
        {view === 'chat' && (
          <>
            <ConversationsSidebar />
            <ChatView />
            <LivePanel />
          </>
        )}
        {view === 'observability' && <ObservabilityView />}
        {view === 'knowledge' && <KnowledgeView />}
        {view === 'memory' && <MemoryView />}
        {view === 'settings' && <SettingsView />}
      </div>
    </div>
  );
}
