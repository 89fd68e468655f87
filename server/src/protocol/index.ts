// The wire protocol, defined once and imported by the relay and the protocol client.
export * from './common';
export * from './rest';
export * from './ws';
