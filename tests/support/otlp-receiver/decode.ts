/**
 * OTLP export requests -> plain objects that tests can assert on.
 *
 * Two entry points per signal: `decode*Request(bytes)` for OTLP protobuf
 * (application/x-protobuf, and the gRPC message payload) and `decode*Json(value)` for OTLP/JSON
 * (application/json). Both produce the same shapes, flattened: one object per span / metric /
 * log record, each carrying its resource attributes and instrumentation scope.
 *
 * Why a wire reader of our own (protobuf-wire.ts) and not protobufjs with the OTLP .proto files:
 * it is the tests' oracle for what the app's exporters send, so it must not share their encoder
 * (the SDK's serializer is protobufjs-generated); a bug there would be decoded back as correct.
 */
export * from './decoded-types';
export * from './decode-protobuf';
export * from './decode-json';
