export { startLocalSystem, dropDatabase, deleteNamespace, LOCAL_SYSTEM_QUEUES } from './local-system';
export type { LocalSystem, LocalSystemOptions, LocalSystemLog } from './local-system';
