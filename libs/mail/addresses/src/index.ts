export * from './recipient-addresses';
export * from './address-book';
