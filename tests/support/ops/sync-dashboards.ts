// `npx tsx tests/support/ops/sync-dashboards.ts`: regenerates resources/grafana/provisioned/ from
// the importable dashboards in resources/grafana/dashboards/ (the source). See dashboards.ts.
import { writeProvisioned } from './dashboards';

for (const path of writeProvisioned()) console.log(`wrote ${path}`);
