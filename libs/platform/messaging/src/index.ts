export * from './broker';
export * from './topology';
export * from './forwarder';
export * from './inbox';
