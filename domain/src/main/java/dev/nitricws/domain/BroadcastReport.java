package dev.nitricws.domain;

/**
 * What a broadcast did: how many connections the message was delivered to, how many were gone
 * (and pruned), and how many sends failed otherwise.
 */
public record BroadcastReport(long delivered, long gone, long failed) {

  public BroadcastReport {
    if (delivered < 0 || gone < 0 || failed < 0) {
      throw new IllegalArgumentException("counts must not be negative: delivered=" + delivered
          + ", gone=" + gone + ", failed=" + failed);
    }
  }

  /** Connections the broadcast tried to reach. */
  public long attempted() {
    return delivered + gone + failed;
  }
}
