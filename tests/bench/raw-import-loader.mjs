// Module hook for the benchmarks: `import text from './file.yml?raw'` (a Vite idiom that core uses
// for shipped rule files) loads the file's text, as Vite does. tsx alone does not know `?raw`.
import { readFile } from 'node:fs/promises';

export async function load(url, context, nextLoad) {
  if (url.startsWith('file:') && url.endsWith('?raw')) {
    const text = await readFile(new URL(url.slice(0, -'?raw'.length)), 'utf8');
    return { format: 'module', source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
  }
  return nextLoad(url, context);
}
