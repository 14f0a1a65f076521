// Counters per broker ingress, for the admin API and metrics to read (plain
// numbers, as in HostStats). They are also what the fault tests check:
// duplicates avoided, messages released back, pub/sub messages dropped.

export class BrokerStats {
  /** Messages taken from the broker. */
  received = 0;
  /** Events made durable by host.accept. */
  accepted = 0;
  /** Messages acknowledged to the broker after their outcome was durable. */
  acked = 0;
  /** Refused as PLEXUS_INVALID_EVENT: recorded in the host DLQ, dead-lettered on the broker. */
  refused = 0;
  /** Given back for redelivery because the host could not accept them (store down, shutting down). */
  released = 0;
  /** A message whose event was already in flight here: acknowledged with it, not accepted twice. */
  joined = 0;
  /** A redelivered message whose event had already settled here (its ack was lost): acknowledged, not accepted again. */
  alreadySettled = 0;
  /** Acknowledgements that could not be sent (the connection was gone); the broker redelivers those. */
  ackFailures = 0;
  /** Stream entries taken over from other consumers (XAUTOCLAIM). */
  claimed = 0;
  /** Entries or list items recovered from this consumer's own pending list at (re)connect. */
  recovered = 0;
  /** Pub/sub: delivered at most once, so anything not accepted is gone. Counted, never hidden. */
  dropped = 0;
}
