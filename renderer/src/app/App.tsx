import { Composer } from '../components/Composer';
import { ConnectionNotice } from '../components/ConnectionNotice';
import { ConversationView } from '../components/ConversationView';
import { ConversationsSidebar } from '../components/ConversationsSidebar';
import { ErrorBanner } from '../components/ErrorBanner';
import { LivePanel } from '../components/live/LivePanel';
import { ObservabilityView } from '../components/observability/ObservabilityView';
import { useEscapeStops } from '../components/StopButton';
import { Toolbar } from '../components/Toolbar';
import { KnowledgeView } from '../components/views/KnowledgeView';
import { MemoryView } from '../components/views/MemoryView';
import { SettingsView } from '../components/views/SettingsView';
import { selectView } from '../store';
import { useApp } from './context';

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
            <section className="chat-main" aria-label="Chat">
              <ConversationView />
              <Composer />
            </section>
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
