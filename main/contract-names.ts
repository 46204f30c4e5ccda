/**
 * The contract's method and event names without its schemas: the sandboxed preload and the
 * renderer bundle need only these. `contract.ts` is type-checked against this list both ways.
 */
export const METHOD_NAMES = [
  'appInfo',
  'listRegions',
  'getSettings',
  'saveProfile',
  'selectProfile',
  'deleteProfile',
  'setTheme',
  'loginBasic',
  'previewExport',
  'writeExport',
  'chooseFolder',
  'openExternal',
  'listCaProfiles',
  'checkCaName',
  'generateCertificateRequest',
  'deleteCertificateRequest',
  'chooseFile',
  'previewCertificateImport',
  'importCertificate',
  'loginCertificate',
  'startDeviceFlow',
  'cancelDeviceFlow',
  'loginOAuth',
  'listModelObjects',
  'checkServerSetup',
  'getExpiries',
  'checkJob',
  'downloadFile',
  'adminChecklist',
  'jobAccount',
] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

export const EVENT_NAMES = ['progress', 'deviceFlow'] as const;
export type EventName = (typeof EVENT_NAMES)[number];

/** Channel names on the IPC bus: one per method, one per event. */
export const ipcChannel = (name: MethodName): string => `assistant:${name}`;
export const ipcEventChannel = (name: EventName): string => `assistant-event:${name}`;
