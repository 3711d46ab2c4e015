/** How the main-process modules report refusals and failures; the caller decides where it goes. */
export type Log = (message: string, fields?: Record<string, unknown>) => void;

export const consoleLog: Log = (message, fields) => {
  if (fields) console.warn(`[agent-bruno] ${message}`, fields);
  else console.warn(`[agent-bruno] ${message}`);
};
