export * from './notification-view';
export { SafeHtml, escapeHtml, textToHtml } from './html';
export { splitName } from './names';
export * from './placeholders/build-placeholder-context';
export * from './render/render-notification';
export * from './layout/layout-email';
export * from './compose-email';
