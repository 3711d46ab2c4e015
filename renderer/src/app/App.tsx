import { Composer } from '../components/Composer';
import { ConnectionNotice } from '../components/ConnectionNotice';
import { ConversationView } from '../components/ConversationView';
import { ErrorBanner } from '../components/ErrorBanner';
import { Toolbar } from '../components/Toolbar';

export function App() {
  return (
    <div className="app" data-testid="app">
      <Toolbar />
      <ConnectionNotice />
      <ErrorBanner />
      <ConversationView />
      <Composer />
    </div>
  );
}
