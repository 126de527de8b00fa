package dev.jbert.examples;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value} pairs of an example's command line. */
final class Args {

  private Args() {}

  /** The values by option name; an option not in {@code known}, or without a value, is an error. */
  static Map<String, String> parse(String[] args, List<String> known) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!known.contains(args[i]) || i + 1 >= args.length) {
        throw new IllegalArgumentException("usage: " + String.join(" ", known.stream().map(k -> "[" + k + " VALUE]").toList()));
      }
      out.put(args[i], args[i + 1]);
    }
    return out;
  }
}
