export * from './envelope';
export * from './ticket-events';
export * from './ticket-commands';
export * from './user-events';
export * from './recipient-address-events';
export * from './mail-messages';
export * from './topology';
export * from './ids';
