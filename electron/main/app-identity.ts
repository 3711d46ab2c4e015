/**
 * The app's identity for the OS. `appId` must equal `appId` in electron-builder.yml: Windows
 * shows notifications only for the AppUserModelID the installer registered (a test checks it).
 */
export const appId = 'io.github.agentbruno.desktop';
export const productName = 'Agent Bruno';
