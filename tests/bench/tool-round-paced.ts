/**
 * Parts of tests/bench/tool-round.ts: the stage marks of a turn and their report, and the paced
 * run (the fake Ollama streaming at a set rate after a prompt-evaluation delay).
 */
import { median } from './stats';

/** Stage times of one turn, in ms from its start (null: the turn has no such stage). */
export interface Marks {
  toolKnown: number | null;
  toolDone: number | null;
  secondFirstToken: number | null;
  done: number;
  returned: number;
}

export const ms = (x: number) => `${x.toFixed(2)} ms`;

const stages: Array<[string, (m: Marks) => number | null, (m: Marks) => number | null]> = [
  ['round 1: start -> tool call known', () => 0, (m) => m.toolKnown],
  ['the tool: -> its result', (m) => m.toolKnown, (m) => m.toolDone],
  ['round 2: -> its first token', (m) => m.toolDone, (m) => m.secondFirstToken],
  ['round 2: -> the last token (done)', (m) => m.secondFirstToken, (m) => m.done],
  ['after done -> the turn returned', (m) => m.done, (m) => m.returned],
];

/** The median of each stage of the tool turns, app beside bare. */
export function printStages(title: string, app: Marks[], bare: Marks[]): void {
  console.log(`${title} (medians), app / bare / difference:`);
  for (const [name, from, to] of stages) {
    const a = median(app.map((m) => (to(m) ?? 0) - (from(m) ?? 0)));
    const b = median(bare.map((m) => (to(m) ?? 0) - (from(m) ?? 0)));
    console.log(`  ${name.padEnd(36)} ${ms(a).padStart(9)} ${ms(b).padStart(9)} ${(a - b >= 0 ? '+' : '') + (a - b).toFixed(2)} ms`);
  }
}

export type PacedKey = 'appTool' | 'bareTool' | 'appPlain' | 'barePlain';
export interface PacedRun {
  marks: Record<PacedKey, Marks[]>;
  /** This process's CPU time, ms, summed over the counted turns. */
  cpu: Record<PacedKey, number>;
  turns: number;
}

/** `turns` rounds of the four turns, in alternating order, after two rounds of warm-up. */
export async function runPaced(run: Record<PacedKey, () => Promise<Marks>>, turns: number): Promise<PacedRun> {
  const keys: PacedKey[] = ['appTool', 'bareTool', 'appPlain', 'barePlain'];
  const marks = { appTool: [], bareTool: [], appPlain: [], barePlain: [] } as Record<PacedKey, Marks[]>;
  const cpu = { appTool: 0, bareTool: 0, appPlain: 0, barePlain: 0 };
  for (let i = 0; i < turns + 2; i++) {
    for (const key of i % 2 === 0 ? keys : [...keys].reverse()) {
      const c0 = process.cpuUsage();
      marks[key].push(await run[key]());
      const c = process.cpuUsage(c0);
      cpu[key] += (c.user + c.system) / 1000;
    }
    // The first two rounds warm the paced path (timers, the fake's pacing); they are not counted.
    if (i < 2) {
      for (const key of keys) {
        marks[key].length = 0;
        cpu[key] = 0;
      }
    }
  }
  return { marks, cpu, turns };
}

export function printPaced(paced: PacedRun, pace: number, promptEvalMs: number): void {
  console.log(`paced: fake Ollama at ${pace} tokens/s after ${promptEvalMs} ms of prompt evaluation per request (faster than any local model), ${paced.turns} turns each`);
  for (const [label, app, bare] of [
    ['one tool round', 'appTool', 'bareTool'],
    ['no tools', 'appPlain', 'barePlain'],
  ] as const) {
    const a = median(paced.marks[app].map((m) => m.returned));
    const b = median(paced.marks[bare].map((m) => m.returned));
    const cpu = (key: PacedKey) => paced.cpu[key] / paced.turns;
    console.log(`  ${label}: app ${ms(a)}  bare ollama-js ${ms(b)}  ratio ${(a / b).toFixed(3)}  (+${ms(a - b)})  CPU per turn app ${ms(cpu(app))} bare ${ms(cpu(bare))} (+${ms(cpu(app) - cpu(bare))})`);
  }
}
