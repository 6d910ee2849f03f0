export * from './broker';
export * from './topology';
export * from './forwarder';
export * from './forwarder-role';
export * from './inbox';
export * from './update-order';
export * from './partition-leases';
