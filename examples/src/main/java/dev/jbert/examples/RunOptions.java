package dev.jbert.examples;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every fine-tuning example takes (a picocli mixin). */
final class RunOptions {

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @Option(names = "--epochs", defaultValue = "3", description = "Epochs (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--max-steps", defaultValue = "0", description = "Stop after this many steps (0: no limit).")
  long maxSteps;

  @Option(names = "--shared", defaultValue = "../shared", description = "Folder with models/ and data/ (default: ${DEFAULT-VALUE}).")
  Path shared;
}
