/** Test OTLP receiver: an OTLP/HTTP endpoint that decodes what the SDK exporters send. */
export { startOtlpReceiver, type OtlpReceiver, type OtlpReceiverOptions, type ReceiverMode } from './receiver';
export type { Signal, ReceivedRequest } from './store';
export * from './decode';
export { startOtlpGrpcReceiver, type OtlpGrpcReceiverOptions } from './grpc';
