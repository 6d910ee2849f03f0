export { startMailCatcher } from './mail-catcher';
export type { CaughtMail, MailCatcher, MailCatcherOptions } from './mail-catcher';
