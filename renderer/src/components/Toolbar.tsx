import { HealthIndicator } from './HealthIndicator';
import { ModelPicker } from './ModelPicker';

export function Toolbar() {
  return (
    <header className="toolbar">
      <h1 className="title">Agent Bruno</h1>
      <div className="toolbar-items">
        <ModelPicker />
        <HealthIndicator />
      </div>
    </header>
  );
}
