import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the ops pack lives: resources/ is data, checked by tests/integration/ops-pack-*.test.ts. */
export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const resourcesDir = join(repoRoot, 'resources');

export const opsPaths = {
  prometheusConfig: join(resourcesDir, 'prometheus', 'prometheus.yml'),
  rulesDir: join(resourcesDir, 'prometheus', 'rules'),
  ruleTestsDir: join(resourcesDir, 'prometheus', 'tests'),
  runbooks: join(resourcesDir, 'prometheus', 'runbooks.md'),
  alertmanagerConfig: join(resourcesDir, 'alertmanager', 'alertmanager.yml'),
  dashboardsDir: join(resourcesDir, 'grafana', 'dashboards'),
  provisionedDir: join(resourcesDir, 'grafana', 'provisioned'),
  grafanaProvisioningDir: join(resourcesDir, 'grafana', 'provisioning'),
  alloyConfig: join(resourcesDir, 'alloy', 'config.alloy'),
  composeDir: join(resourcesDir, 'compose'),
  composeFile: join(resourcesDir, 'compose', 'compose.yml'),
  guide: join(resourcesDir, 'README.md'),
} as const;

/** Files of a folder with one of the extensions, sorted, as absolute paths. */
export function filesIn(dir: string, ...extensions: string[]): string[] {
  return readdirSync(dir)
    .filter((name) => extensions.some((ext) => name.endsWith(ext)))
    .sort()
    .map((name) => join(dir, name));
}
