/**
 * Every contract method, by domain. Adding a method: declare it in its domain's file here and
 * write its handler in the domain's folder; the channel list, both transports and the CLI
 * mirrors follow from this object.
 */
import { chatMethods } from './chat';
import { kbMethods } from './kb';
import { conversationsMethods, memoryMethods } from './memory';
import { settingsMethods } from './settings';
import { toolsMethods } from './tools';
import { alertsMethods, healthMethods, modelsMethods, tracesMethods } from './status';

export const contractMethods = {
  ...chatMethods,
  ...modelsMethods,
  ...healthMethods,
  ...tracesMethods,
  ...alertsMethods,
  ...conversationsMethods,
  ...memoryMethods,
  ...kbMethods,
  ...settingsMethods,
  ...toolsMethods,
};

export { chatMethods, kbMethods, conversationsMethods, memoryMethods, settingsMethods, alertsMethods, healthMethods, modelsMethods, tracesMethods, toolsMethods };
export * from './chat';
export * from './kb';
export * from './memory';
export * from './settings';
export { tracesGetInput } from './status';
