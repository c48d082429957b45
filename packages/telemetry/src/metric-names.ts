/** Every metric name telemetry registers besides prom-client's default process metrics. */
export const METRIC_NAMES = {
  quicConnectionsActive: 'quic_connections_active',
  tcpConnectionsActive: 'tcp_connections_active',
  connectionsOpened: 'agentlink_connections_opened_total',
  connectionsClosed: 'agentlink_connections_closed_total',
  requestDuration: 'agentlink_request_duration_seconds',
  messagesSent: 'agentlink_messages_sent_total',
  messagesReceived: 'agentlink_messages_received_total',
  bytesSent: 'agentlink_bytes_sent_total',
  bytesReceived: 'agentlink_bytes_received_total',
  errors: 'agentlink_errors_total',
  certificateRefusals: 'agentlink_certificate_refusals_total',
  handshakeDuration: 'agentlink_handshake_duration_seconds',
  transportFallbacks: 'agentlink_transport_fallbacks_total',
  certificateExpiry: 'agentlink_certificate_expiry_seconds',
  breakerState: 'agentlink_breaker_state',
  breakerTransitions: 'agentlink_breaker_transitions_total',
  breakerRejections: 'agentlink_breaker_rejections_total',
  neuralAccuracy: 'neural_accuracy',
  neuralBalancedAccuracy: 'neural_balanced_accuracy',
  neuralF1: 'neural_f1_score',
  neuralPrecision: 'neural_precision',
  neuralRecall: 'neural_recall',
  neuralPredictionLatency: 'neural_prediction_latency_seconds',
  neuralPredictions: 'neural_predictions_total',
  neuralFallbacks: 'neural_prediction_fallbacks_total',
  memoryLimit: 'agentlink_memory_limit_bytes',
  invalidEvents: 'agentlink_telemetry_invalid_events_total',
} as const;

/** Numeric value of `agentlink_breaker_state` per state: higher is worse. */
export const BREAKER_STATE_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;
