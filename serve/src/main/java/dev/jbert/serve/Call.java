package dev.jbert.serve;

/**
 * What one request did, for its metrics, timing headers and release: route, model, when it arrived,
 * how long tokenizing took, its job.
 */
final class Call {

  final String route;
  final long startNanos = System.nanoTime();
  String model = "";
  ClientProbe probe;
  boolean admitted;
  double tokenizeSeconds;
  int inputs;
  long tokens;
  long characters;
  Job<?> job;

  Call(String route) {
    this.route = route;
  }

  /** Seconds since the request arrived. */
  double elapsedSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** Ends the tokenization phase: everything since arrival (reading, parsing, encoding). */
  void tokenized(Iterable<int[]> ids) {
    tokenizeSeconds = elapsedSeconds();
    for (int[] i : ids) {
      inputs++;
      tokens += i.length;
    }
  }
}
