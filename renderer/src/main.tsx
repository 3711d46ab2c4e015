import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './styles.css';
import { App } from './app/App';
import { AppProvider } from './shared/context';
import { createController } from './app/controller';
import { createTransport } from './bridge';
import { createAppStore } from './app/store';

const { bridge, connection, commands, pickPaths } = createTransport();
const store = createAppStore({ connection: connection.current() });
const controller = createController({ store, bridge, connection, ...(commands ? { commands } : {}), ...(pickPaths ? { pickPaths } : {}) });
// Started once for the page's life, outside React, so StrictMode's double effects do not matter.
controller.start();

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');
createRoot(root).render(
  <StrictMode>
    <AppProvider store={store} actions={controller}>
      <App />
    </AppProvider>
  </StrictMode>,
);
