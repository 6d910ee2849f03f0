export * from './recipient-addresses';
export * from './address-book';
export * from './http';
